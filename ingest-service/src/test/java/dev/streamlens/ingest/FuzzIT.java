package dev.streamlens.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.Topics;
import dev.streamlens.testing.HttpFuzzer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random mutations of valid requests, responses and batches, with odd headers and
 * methods, sent raw to the running service: none is answered 5xx, the service keeps serving,
 * its heap stays bounded, and a valid event sent afterwards is still accepted and stored.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class FuzzIT {

    private static final int CASES = 3000;

    @TestHTTPResource("/")
    URL base;

    @Test
    void mutatedCallsNeverGet5xxAndAValidEventStillCounts() throws Exception {
        HttpFuzzer fuzzer = new HttpFuzzer(base.getPort(), 20261126L);
        String request =
                "{\"request_id\": \"fuzz-1\", \"tenant_id\": \"acme\", \"route\": \"chat\", \"model\": \"gpt-4o\", "
                        + "\"timestamp\": \"2026-11-26T10:00:00Z\", \"prompt_tokens\": 12, \"metadata\": {\"a\": [1, {\"b\": null}]}}";
        String response =
                "{\"request_id\": \"fuzz-1\", \"timestamp\": \"2026-11-26T10:00:01.5Z\", \"latency_ms\": 1500, "
                        + "\"completion_tokens\": 30, \"finish_reason\": \"stop\", \"error\": null}";
        String batch = "[{\"type\": \"request\", " + request.substring(1) + ", {\"type\": \"response\", "
                + response.substring(1) + "]";
        String ndjson = "{\"type\": \"request\", " + request.substring(1) + "\n{\"type\": \"response\", "
                + response.substring(1);
        List<Map.Entry<String, String>> valid = List.of(
                Map.entry("/v1/llm/request", request),
                Map.entry("/v1/llm/response", response),
                Map.entry("/v1/llm/events", batch),
                Map.entry("/v1/llm/events", ndjson));
        List<String> otherTargets = List.of(
                "/v1/llm/request?x=%zz",
                "/v1/llm/",
                "/v1/llm/request/..%2f..%2f",
                "/health",
                "/v1/llm/events?" + "a=b&".repeat(500),
                "/%00",
                "/q/health/ready");
        List<String> methods = List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "BREW");

        long heapBefore = HttpFuzzer.usedHeapAfterGc();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < CASES; i++) {
            Map.Entry<String, String> seed = fuzzer.pick(valid);
            int dice = fuzzer.random().nextInt(100);
            String method = dice < 90 ? "POST" : fuzzer.pick(methods);
            String target = dice % 10 == 0 ? fuzzer.pick(otherTargets) : seed.getKey();
            HttpFuzzer.Outcome outcome = fuzzer.send(
                    method,
                    target,
                    fuzzer.headers("application/json"),
                    fuzzer.mutate(seed.getValue().getBytes(StandardCharsets.UTF_8)));
            statuses.merge(outcome.status(), 1, Integer::sum);
            if (outcome.status() == -1) {
                assertThat(HttpFuzzer.isValidRequestTarget(target, 4096))
                        .as("closed without an answer: %s", target)
                        .isFalse();
            }
            assertThat(outcome.status())
                    .as("case %d: %s %s -> %s", i, method, target, outcome.statusLine())
                    .isLessThan(500);
        }
        long heapGrowth = HttpFuzzer.usedHeapAfterGc() - heapBefore;
        System.out.printf(
                "[fuzz] ingest-service: %d cases, answers by status %s, heap growth %d MB%n",
                CASES, statuses, heapGrowth >> 20);
        assertThat(heapGrowth).as("heap growth").isLessThan(128L << 20);

        String id = "after-fuzz-" + UUID.randomUUID();
        given().contentType(ContentType.JSON)
                .body(request.replace("fuzz-1", id)
                        .replace("2026-11-26T10:00:00Z", Instant.now().toString()))
                .post("/v1/llm/request")
                .then()
                .statusCode(202);
        assertThat(TopicReader.readAll(Topics.REQUESTS))
                .extracting(TopicReader.Entry::key)
                .contains(id);
    }
}
