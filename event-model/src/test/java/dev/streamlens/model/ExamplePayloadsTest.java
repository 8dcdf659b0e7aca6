package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The original Go service's example bodies (README.md, Sending events) are accepted verbatim. */
class ExamplePayloadsTest {

    /** The original service's payloads date from 2025, well before this clock. */
    private final EventParser parser = new EventParser();

    @Test
    void everyOriginalRequestBodyIsAccepted() throws IOException {
        JsonNode requests = originalPayloads().get("requests");
        assertThat(requests).hasSize(3);
        for (JsonNode body : requests) {
            ParseResult<LlmRequest> result = parser.parseRequest(body.toString().getBytes(StandardCharsets.UTF_8));
            assertThat(result.errors()).as(body.toString()).isEmpty();
            assertThat(result.event().requestId())
                    .isEqualTo(body.get("request_id").asText());
            assertThat(result.event().tenantId())
                    .isEqualTo(body.get("tenant_id").asText());
            assertThat(result.event().promptTokens())
                    .isEqualTo(body.get("prompt_tokens").asLong());
        }
    }

    @Test
    void everyOriginalResponseBodyIsAccepted() throws IOException {
        JsonNode responses = originalPayloads().get("responses");
        assertThat(responses).hasSize(4);
        for (JsonNode body : responses) {
            ParseResult<LlmResponse> result =
                    parser.parseResponse(body.toString().getBytes(StandardCharsets.UTF_8));
            assertThat(result.errors()).as(body.toString()).isEmpty();
            assertThat(result.event().latencyMs())
                    .isEqualTo(body.get("latency_ms").asDouble());
        }
    }

    @Test
    void metadataKeepsNonStringValuesAndUserHash() {
        String body = """
                {"request_id": "uuid", "tenant_id": "acme-corp", "route": "chat_support_v2", "model": "gpt-4.1-mini",
                 "timestamp": "2025-11-19T10:00:00.000Z", "prompt_tokens": 321, "user_id_hash": "sha256-hash",
                 "metadata": {"experiment": "prompt_v3", "test": true, "shard": 7, "weights": [0.5, 1.5], "nested": {"a": null}}}
                """;
        LlmRequest request =
                parser.parseRequest(body.getBytes(StandardCharsets.UTF_8)).event();
        assertThat(request.userIdHash()).isEqualTo("sha256-hash");
        assertThat(request.metadata().get("test").isBoolean()).isTrue();
        assertThat(request.metadata().get("shard").intValue()).isEqualTo(7);
        assertThat(request.metadata().get("weights").get(1).doubleValue()).isEqualTo(1.5);
        assertThat(request.metadata().get("nested").get("a").isNull()).isTrue();

        String json = EventJson.toJson(request);
        assertThat(parser.parseRequest(json.getBytes(StandardCharsets.UTF_8)).event())
                .isEqualTo(request);
    }

    @Test
    void seedResponseMarksFailureOnlyWithNonEmptyError() {
        LlmResponse failed =
                parser.parseResponse("""
                {"request_id": "req-456", "timestamp": "2025-11-19T10:00:02.000Z", "latency_ms": 1500,
                 "completion_tokens": 300, "finish_reason": "error", "error": "rate_limit_exceeded"}
                """.getBytes(StandardCharsets.UTF_8)).event();
        LlmResponse ok =
                parser.parseResponse("""
                {"request_id": "req-123", "timestamp": "2025-11-20T10:00:31.200+01:00", "latency_ms": 1200,
                 "completion_tokens": 250, "finish_reason": "stop", "error": ""}
                """.getBytes(StandardCharsets.UTF_8)).event();
        assertThat(failed.isFailure()).isTrue();
        assertThat(ok.isFailure()).isFalse();
        assertThat(ok.timestamp()).isEqualTo(Instant.parse("2025-11-20T09:00:31.200Z"));
    }

    private static JsonNode originalPayloads() throws IOException {
        try (InputStream in = ExamplePayloadsTest.class.getResourceAsStream("/original-payloads.json")) {
            return EventJson.mapper().readTree(in);
        }
    }
}
