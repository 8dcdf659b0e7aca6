package dev.streamlens.job.events;

import dev.streamlens.model.EventParser;
import dev.streamlens.model.LlmRequest;
import dev.streamlens.model.LlmResponse;
import dev.streamlens.model.ParseResult;
import dev.streamlens.model.Topics;
import java.io.Serializable;

/**
 * Turns the bytes of a Kafka record into a {@link TelemetryEvent} with the shared validation
 * routine: a record that does not parse or validate becomes a rejected event carrying the reason
 * and its original bytes, never an exception.
 */
public final class EventDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private transient EventParser parser;

    public TelemetryEvent decode(String topic, byte[] key, byte[] value, long recordTimestamp) {
        if (value == null) {
            return TelemetryEvent.rejected(topic, key, new byte[0], recordTimestamp, "body: record has no value");
        }
        if (Topics.REQUESTS.equals(topic)) {
            ParseResult<LlmRequest> result = parser().parseRequest(value);
            if (!result.isValid()) {
                return TelemetryEvent.rejected(topic, key, value, recordTimestamp, result.describeErrors());
            }
            LlmRequest r = result.event();
            return TelemetryEvent.request(r.requestId(), r.timestamp().toEpochMilli(), r.tenantId(), r.route(),
                    r.model(), r.promptTokensOrZero());
        }
        ParseResult<LlmResponse> result = parser().parseResponse(value);
        if (!result.isValid()) {
            return TelemetryEvent.rejected(topic, key, value, recordTimestamp, result.describeErrors());
        }
        LlmResponse r = result.event();
        return TelemetryEvent.response(r.requestId(), r.timestamp().toEpochMilli(),
                r.latencyMs() == null ? Double.NaN : r.latencyMs(), r.completionTokensOrZero(), r.isFailure(),
                r.tenantId());
    }

    private EventParser parser() {
        if (parser == null) {
            parser = new EventParser();
        }
        return parser;
    }
}
