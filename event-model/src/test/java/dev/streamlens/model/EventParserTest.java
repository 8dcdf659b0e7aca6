package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Edge cases of the validation routine that the generated properties do not pin down by name. */
class EventParserTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final EventParser parser = new EventParser(ValidationLimits.DEFAULTS, Clock.fixed(NOW, ZoneOffset.UTC));

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2025-11-20T10:00:30.000Z",
                "2025-11-20T10:00:30Z",
                "2025-11-20t10:00:30z",
                "2025-11-20T10:00:30.123456789+05:30",
                "2025-11-20T10:00:30-08:00",
                "2016-12-31T23:59:60Z",
                "2025-11-20T10:00:30.1234567891234Z",
                "0000-01-01T00:00:00Z",
                "0001-01-01T00:00:00+23:59"
            })
    void acceptsRfc3339Timestamps(String timestamp) {
        assertThat(parseResponse("{\"request_id\":\"r\",\"timestamp\":\"" + timestamp + "\"}")
                        .errors())
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2025-11-20T10:00:30",
                "2025-11-20",
                "2025-11-20 10:00:30Z",
                "1763632830",
                "2025-13-20T10:00:30Z",
                "yesterday",
                "",
                "-300000000-01-01T00:00:00Z",
                "+300000000-01-01T00:00:00Z",
                "12025-11-20T10:00:30Z",
                "-2025-11-20T10:00:30Z",
                "2025-11-20T10:00:60Z",
                "0000-01-01T00:00:00+00:01"
            })
    void rejectsTimestampsWithoutOffsetOrOutsideRfc3339(String timestamp) {
        assertThat(parseResponse("{\"request_id\":\"r\",\"timestamp\":\"" + timestamp + "\"}")
                        .errors())
                .extracting(FieldError::field)
                .containsExactly("timestamp");
    }

    @Test
    void namesTheRangeWhenAValidTimestampLiesBeforeYearZero() {
        assertThat(parseResponse("{\"request_id\":\"r\",\"timestamp\":\"0000-01-01T00:00:00+00:01\"}")
                        .errors())
                .containsExactly(
                        new FieldError("timestamp", "must lie between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z"));
    }

    @Test
    void boundsTheFutureFromWhenTheEventWasReceived() {
        byte[] fourMinutesAhead =
                "{\"request_id\":\"r\",\"timestamp\":\"2026-01-01T00:09:00Z\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parseResponse(fourMinutesAhead, NOW.plusSeconds(300)).errors())
                .isEmpty();
        assertThat(parser.parseResponse(fourMinutesAhead, NOW).errors())
                .extracting(FieldError::field)
                .containsExactly("timestamp");
    }

    @Test
    void boundsTheFuture() {
        assertThat(parseResponse("{\"request_id\":\"r\",\"timestamp\":\"2026-01-01T00:04:59Z\"}")
                        .errors())
                .isEmpty();
        assertThat(parseResponse("{\"request_id\":\"r\",\"timestamp\":\"2026-01-01T00:05:01Z\"}")
                        .errors())
                .containsExactly(new FieldError("timestamp", "must not lie more than 300 s in the future"));
    }

    @Test
    void malformedJsonIsABodyError() {
        assertThat(parseResponse("{\"request_id\": ").errors())
                .extracting(FieldError::field)
                .containsExactly("body");
        assertThat(parseResponse("[1, 2]").errors()).containsExactly(new FieldError("body", "must be a JSON object"));
        assertThat(parseResponse("").errors()).extracting(FieldError::field).containsExactly("body");
    }

    @Test
    void duplicateKeysAreRefusedRatherThanSilentlyResolved() {
        assertThat(parseResponse("{\"request_id\":\"a\",\"request_id\":\"b\",\"timestamp\":\"2025-11-20T10:00:30Z\"}")
                        .errors())
                .extracting(FieldError::field)
                .containsExactly("body");
    }

    @Test
    void deepDocumentsAreRefusedByTheParserNotTheStack() {
        String deep = "{\"request_id\":\"r\",\"timestamp\":\"2025-11-20T10:00:30Z\",\"x\":" + "[".repeat(10_000)
                + "]".repeat(10_000) + "}";
        assertThat(parseResponse(deep).errors()).extracting(FieldError::field).containsExactly("body");
    }

    @Test
    void unknownFieldsAreIgnored() {
        ParseResult<LlmResponse> result = parseResponse(
                "{\"request_id\":\"r\",\"timestamp\":\"2025-11-20T10:00:30Z\",\"future_field\":{\"x\":1}}");
        assertThat(result.errors()).isEmpty();
    }

    @Test
    void theProviderIsOptionalAndCarriedAsSent() {
        String request = "{\"request_id\":\"r\",\"tenant_id\":\"t\",\"route\":\"chat\",\"model\":\"gpt-4o\","
                + "\"timestamp\":\"2025-11-20T10:00:30Z\"";
        assertThat(parser.parseRequest((request + "}").getBytes(StandardCharsets.UTF_8))
                        .event()
                        .provider())
                .isNull();
        assertThat(parser.parseRequest((request + ",\"provider\":\"aws.bedrock\"}").getBytes(StandardCharsets.UTF_8))
                        .event()
                        .provider())
                .isEqualTo("aws.bedrock");
        assertThat(parser.parseRequest((request + ",\"provider\":7}").getBytes(StandardCharsets.UTF_8))
                        .errors())
                .containsExactly(new FieldError("provider", "must be a string"));
    }

    @Test
    void theEndUserAndTheSessionAreOptionalAndCarriedAsSent() {
        String request = "{\"request_id\":\"r\",\"tenant_id\":\"t\",\"route\":\"chat\",\"model\":\"gpt-4o\","
                + "\"timestamp\":\"2025-11-20T10:00:30Z\"";
        LlmRequest named = parser.parseRequest((request + ",\"user_id_hash\":\"u-42\",\"session_id\":\"conv-7\"}")
                        .getBytes(StandardCharsets.UTF_8))
                .event();
        assertThat(named.userIdHash()).isEqualTo("u-42");
        assertThat(named.sessionId()).isEqualTo("conv-7");
        assertThat(parser.parseRequest((request + ",\"session_id\":[1]}").getBytes(StandardCharsets.UTF_8))
                        .errors())
                .containsExactly(new FieldError("session_id", "must be a string"));
    }

    @Test
    void reportsEveryViolationAtOnce() {
        ParseResult<LlmRequest> result = parser.parseRequest(
                "{\"tenant_id\":5,\"route\":\"\",\"model\":\"a\\u0000b\",\"timestamp\":\"soon\",\"prompt_tokens\":-3}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(result.errors())
                .containsExactly(
                        new FieldError("request_id", "is required"),
                        new FieldError("tenant_id", "must be a string"),
                        new FieldError("route", "must not be empty"),
                        new FieldError("model", "must not contain control characters"),
                        new FieldError(
                                "timestamp",
                                "must be RFC 3339 with a four-digit year and an offset or Z, such as 2025-11-20T10:00:30.000Z"),
                        new FieldError("prompt_tokens", "must be an integer >= 0"));
        assertThat(result.describeErrors()).startsWith("request_id: is required; tenant_id: must be a string");
    }

    @Test
    void wholeFloatTokensAreAcceptedButFractionsAreNot() {
        String base = "{\"request_id\":\"r\",\"timestamp\":\"2025-11-20T10:00:30Z\",\"completion_tokens\":";
        assertThat(parseResponse(base + "250.0}").event().completionTokens()).isEqualTo(250L);
        assertThat(parseResponse(base + "2.5}").errors())
                .extracting(FieldError::field)
                .containsExactly("completion_tokens");
        assertThat(parseResponse(base + "99999999999999999999999}").errors())
                .containsExactly(new FieldError("completion_tokens", "must be at most 100000000"));
    }

    private ParseResult<LlmResponse> parseResponse(String json) {
        return parser.parseResponse(json.getBytes(StandardCharsets.UTF_8));
    }
}
