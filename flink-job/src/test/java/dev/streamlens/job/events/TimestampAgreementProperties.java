package dev.streamlens.job.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.EventParser;
import dev.streamlens.model.LlmRequest;
import dev.streamlens.model.LlmResponse;
import dev.streamlens.model.ParseResult;
import dev.streamlens.model.Topics;
import dev.streamlens.model.ValidationLimits;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The ingest service's validator (the shared parser as the service builds it, receiving at NOW)
 * and the job's decoder (reading the record Kafka stamped at NOW) agree on every timestamp: both
 * accept it, reading the same instant, or both refuse it. Neither ever throws, and the job never
 * needs its last-resort catch to turn an exception into a dead letter.
 */
class TimestampAgreementProperties {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final EventParser ingest = new EventParser(ValidationLimits.DEFAULTS, Clock.fixed(NOW, ZoneOffset.UTC));
    private final EventDecoder job = new EventDecoder();

    @Property(tries = 4000)
    void theIngestValidatorAndTheJobAgreeOnEveryTimestamp(@ForAll("timestamps") String timestamp) {
        byte[] request = ("{\"request_id\":\"r\",\"tenant_id\":\"t\",\"route\":\"chat\",\"model\":\"gpt-4o\","
                        + "\"timestamp\":\"" + timestamp + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ParseResult<LlmRequest> atIngest = ingest.parseRequest(request);
        TelemetryEvent inJob = job.decode(Topics.REQUESTS, null, request, NOW.toEpochMilli());
        assertAgree(
                timestamp,
                atIngest.isValid(),
                atIngest.isValid() ? atIngest.event().timestamp() : null,
                inJob);
        Statistics.label("accepted").collect(atIngest.isValid());
        Statistics.label("accepted").coverage(coverage -> {
            coverage.check(true).percentage(p -> p > 10); // both answers are exercised, not only refusals
            coverage.check(false).percentage(p -> p > 10);
        });

        byte[] response =
                ("{\"request_id\":\"r\",\"timestamp\":\"" + timestamp + "\"}").getBytes(StandardCharsets.UTF_8);
        ParseResult<LlmResponse> responseAtIngest = ingest.parseResponse(response);
        TelemetryEvent responseInJob = job.decode(Topics.RESPONSES, null, response, NOW.toEpochMilli());
        assertAgree(
                timestamp,
                responseAtIngest.isValid(),
                responseAtIngest.isValid() ? responseAtIngest.event().timestamp() : null,
                responseInJob);
    }

    private static void assertAgree(String timestamp, boolean accepted, Instant read, TelemetryEvent inJob) {
        assertThat(inJob.isRejected())
                .as("job rejects %s exactly when the ingest service does", timestamp)
                .isEqualTo(!accepted);
        if (accepted) {
            assertThat(inJob.timestamp).as(timestamp).isEqualTo(read.toEpochMilli());
        } else {
            assertThat(inJob.reason).as(timestamp).startsWith("timestamp: ");
        }
    }

    @Provide
    Arbitrary<String> timestamps() {
        Arbitrary<String> year = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 9999).map(y -> String.format("%04d", y)),
                Arbitraries.of(
                        "2025",
                        "2026",
                        "0000",
                        "9999",
                        "10000",
                        "+2026",
                        "-2026",
                        "-300000000",
                        "+300000000",
                        "99999",
                        "292278994",
                        "-292275055",
                        "202"));
        Arbitrary<String> twoDigits = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 61).map(n -> String.format("%02d", n)),
                Arbitraries.of("1", "001", "60", "59", "23", "31", "29"));
        Arbitrary<String> fraction = Arbitraries.oneOf(
                Arbitraries.just(""),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20).map(d -> "." + d),
                Arbitraries.just("."));
        Arbitrary<String> offset = Arbitraries.oneOf(
                Arbitraries.of("Z", "z", "+00:00", "-00:00", "", "+24:00", "+1:00"),
                Combinators.combine(
                                Arbitraries.of('+', '-'),
                                Arbitraries.integers().between(0, 25),
                                Arbitraries.integers().between(0, 61))
                        .as((sign, h, m) -> String.format("%c%02d:%02d", sign, h, m)));
        Arbitrary<String> generated = Combinators.combine(
                        year,
                        twoDigits,
                        twoDigits,
                        Arbitraries.of("T", "t", " "),
                        twoDigits,
                        twoDigits,
                        twoDigits,
                        Combinators.combine(fraction, offset).as(String::concat))
                .as((y, mo, d, t, h, mi, s, rest) -> y + "-" + mo + "-" + d + t + h + ":" + mi + ":" + s + rest);
        // Around the ingest's bounds: five minutes ahead of NOW, the first and last instants of the range.
        Arbitrary<String> nearBounds = Arbitraries.longs()
                .between(-600_000, 600_000)
                .map(ms -> NOW.plusSeconds(300).plusMillis(ms).toString());
        Arbitrary<String> edges = Arbitraries.of(
                "0000-01-01T00:00:00Z",
                "0000-01-01T00:00:00+00:01",
                "9999-12-31T23:59:59.999999999Z",
                "9999-12-31T23:59:59.999999999-00:01",
                "2016-12-31T23:59:60Z",
                "2016-12-31T23:59:60.999Z",
                "2025-11-20T10:00:60Z",
                "-300000000-01-01T00:00:00Z",
                "",
                "null",
                "1763632830");
        return Arbitraries.oneOf(generated, nearBounds, edges);
    }
}
