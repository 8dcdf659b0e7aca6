package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.ZoneOffset;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any valid event survives JSON out and back in unchanged, and is accepted by the validator. */
class EventRoundTripProperties {

    private final EventParser parser =
            new EventParser(ValidationLimits.DEFAULTS, Clock.fixed(EventArbitraries.NOW, ZoneOffset.UTC));

    @Property(tries = 500)
    void requestsRoundTrip(@ForAll("requests") LlmRequest request) {
        ParseResult<LlmRequest> back = parser.parseRequest(EventJson.toBytes(request));
        assertThat(back.errors()).isEmpty();
        assertThat(back.event()).isEqualTo(request);
    }

    @Property(tries = 500)
    void responsesRoundTrip(@ForAll("responses") LlmResponse response) {
        ParseResult<LlmResponse> back = parser.parseResponse(EventJson.toBytes(response));
        assertThat(back.errors()).isEmpty();
        assertThat(back.event()).isEqualTo(response);
    }

    @Provide
    Arbitrary<LlmRequest> requests() {
        return EventArbitraries.requests();
    }

    @Provide
    Arbitrary<LlmResponse> responses() {
        return EventArbitraries.responses();
    }
}
