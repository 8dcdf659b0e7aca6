package dev.streamlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OpenTelemetry JavaScript SDK (NodeTracerProvider + OTLPTraceExporter over HTTP, which sends
 * OTLP/JSON), installed by the build from src/test/js/otlp-client at pinned versions, exports two
 * LLM calls and an HTTP call; the events on the topics are what the spans the script reports say.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class OtlpJavaScriptClientIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CLIENT = Path.of("target", "otlp-js-client");

    @TestHTTPResource("/v1/traces")
    URL traces;

    @Test
    void theJavaScriptSdksOtlpJsonExportBecomesEvents() throws Exception {
        assertThat(CLIENT.resolve("node_modules"))
                .as("installed by the build (npm ci)")
                .isDirectory();
        String tenant = "otlp-js-" + UUID.randomUUID();
        long start = Instant.now().minusSeconds(20).toEpochMilli();
        Process node = new ProcessBuilder(
                        "node", "export-genai-spans.js", traces.toString(), tenant, Long.toString(start))
                .directory(CLIENT.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        JsonNode report = JSON.readTree(out);
        assertThat(report.get("results"))
                .as("every export succeeded (0 = SUCCESS)")
                .hasSize(3)
                .allSatisfy(code -> assertThat(code.asInt()).isZero());

        Map<String, JsonNode> spans = new HashMap<>();
        report.get("spans").forEach(s -> spans.put(s.get("name").asText(), s));
        Map<String, JsonNode> requests = events(Topics.REQUESTS);
        Map<String, JsonNode> responses = events(Topics.RESPONSES);

        JsonNode chat = spans.get("chat claude-3-5-sonnet");
        String chatId = chat.get("id").asText();
        assertThat(requests.get(chatId).get("tenant_id").asText()).isEqualTo(tenant);
        assertThat(requests.get(chatId).get("route").asText()).isEqualTo("checkout");
        assertThat(requests.get(chatId).get("model").asText()).isEqualTo("claude-3-5-sonnet");
        assertThat(requests.get(chatId).get("prompt_tokens").asLong()).isEqualTo(900);
        assertThat(Instant.parse(requests.get(chatId).get("timestamp").asText()).toEpochMilli())
                .isEqualTo(chat.get("start").asLong());
        assertThat(responses.get(chatId).get("latency_ms").asDouble()).isEqualTo((double)
                (chat.get("end").asLong() - chat.get("start").asLong()));
        assertThat(responses.get(chatId).get("completion_tokens").asLong()).isEqualTo(150);
        assertThat(responses.get(chatId).get("cached_prompt_tokens").asLong()).isEqualTo(600);
        assertThat(responses.get(chatId).get("finish_reason").asText()).isEqualTo("end_turn");

        String completionId = spans.get("text_completion gpt-4o-mini").get("id").asText();
        assertThat(requests.get(completionId).get("prompt_tokens").asLong()).isEqualTo(40);
        assertThat(responses.get(completionId).get("error").asText()).isEqualTo("timeout");
        assertThat(responses.get(completionId).get("latency_ms").asDouble()).isEqualTo(800.0);

        assertThat(requests).doesNotContainKey(spans.get("GET /cart").get("id").asText());
    }

    private static Map<String, JsonNode> events(String topic) {
        Map<String, JsonNode> events = new HashMap<>();
        for (TopicReader.Entry e : TopicReader.readAll(topic)) {
            try {
                events.put(e.key(), JSON.readTree(e.value()));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return events;
    }
}
