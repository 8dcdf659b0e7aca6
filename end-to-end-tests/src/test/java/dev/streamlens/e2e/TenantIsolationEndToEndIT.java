package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.PipelineOutputs;
import dev.streamlens.job.it.Workload;
import dev.streamlens.testing.TestDirectories;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With API keys on, tenant bravo knows request ids of tenant alpha and posts responses for them —
 * before alpha's request, between request and response, and for a request alpha never answers —
 * and sends a request of its own under one of alpha's ids before alpha does.
 * alpha's metrics in the query API must be exactly what alpha's own events say; bravo can neither
 * write alpha's requests nor read alpha's metrics.
 */
class TenantIsolationEndToEndIT {

    private static final String ALPHA_KEY = "alpha-key-7f3a";
    private static final String BRAVO_KEY = "bravo-key-91c2";
    private static final long WINDOW_MS = 10_000;
    private static final long JOIN_TIMEOUT_MS = 20_000;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anotherTenantCannotChangeATenantsMetricsByAnsweringItsRequests() throws Exception {
        Path home = TestDirectories.fresh("isolation");
        Path keys = home.resolve("keys.json");
        Files.writeString(
                keys,
                "{\"keys\": [{\"tenant_id\": \"alpha\", \"sha256\": \"" + sha256(ALPHA_KEY) + "\"},"
                        + "{\"tenant_id\": \"bravo\", \"sha256\": \"" + sha256(BRAVO_KEY) + "\"}]}");
        Map<String, String> settings = StackProcess.settings(
                home,
                Map.of(
                        "STREAMLENS_AUTH",
                        "api-key",
                        "STREAMLENS_API_KEYS_FILE",
                        keys.toString(),
                        "STREAMLENS_WINDOW",
                        "10s",
                        "STREAMLENS_JOIN_TIMEOUT",
                        "20s",
                        "STREAMLENS_OUT_OF_ORDERNESS",
                        "2s",
                        "STREAMLENS_IDLE_TIMEOUT",
                        "3s",
                        "STREAMLENS_CHECKPOINT_INTERVAL",
                        "2s"));
        String ingest = "http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT");
        String query = "http://127.0.0.1:" + settings.get("STREAMLENS_QUERY_PORT");

        try (StackProcess stack = StackProcess.up(settings)) {
            assertThat(stack.printed("API keys:     on", Duration.ofSeconds(10)))
                    .as("%s", stack.output())
                    .isTrue();
            long t = System.currentTimeMillis();
            List<Workload.Request> alphaRequests = new ArrayList<>();
            List<Workload.Response> alphaResponses = new ArrayList<>();

            // r1: bravo answers between alpha's request and alpha's response.
            alphaRequests.add(post(ingest, ALPHA_KEY, new Workload.Request("r1", "alpha", "chat", "gpt-4o", t, 100)));
            forge(ingest, "r1", t + 100);
            alphaResponses.add(post(ingest, ALPHA_KEY, new Workload.Response("r1", t + 1200, 1200.0, 250, null)));
            // r2: bravo answers before alpha's request arrives, alpha's response before the request too.
            forge(ingest, "r2", t + 300);
            alphaResponses.add(post(ingest, ALPHA_KEY, new Workload.Response("r2", t + 900, 800.0, 40, null)));
            alphaRequests.add(
                    post(ingest, ALPHA_KEY, new Workload.Request("r2", "alpha", "search", "gpt-4o", t + 100, 60)));
            // r5: bravo sends a request of its own with the id before alpha does (ids collide, or are guessed).
            assertThat(send(
                                    ingest + "/v1/llm/request",
                                    BRAVO_KEY,
                                    requestJson(new Workload.Request("r5", "bravo", "chat", "gpt-4o", t + 50, 7)))
                            .statusCode())
                    .isEqualTo(202);
            alphaRequests.add(
                    post(ingest, ALPHA_KEY, new Workload.Request("r5", "alpha", "search", "gpt-4o", t + 60, 30)));
            alphaResponses.add(post(ingest, ALPHA_KEY, new Workload.Response("r5", t + 700, 640.0, 20, null)));
            // r3: alpha never answers; bravo's answer must not complete it.
            alphaRequests.add(
                    post(ingest, ALPHA_KEY, new Workload.Request("r3", "alpha", "chat", "gpt-4o", t + 200, 10)));
            forge(ingest, "r3", t + 400);

            // bravo cannot write alpha's requests nor read alpha's metrics; no key is no access.
            assertThat(send(
                                    ingest + "/v1/llm/request",
                                    BRAVO_KEY,
                                    requestJson(new Workload.Request("r4", "alpha", "chat", "gpt-4o", t, 1)))
                            .statusCode())
                    .isEqualTo(403);
            assertThat(get(query + "/v1/metrics?tenant_id=alpha", BRAVO_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(get(query + "/v1/metrics?tenant_id=alpha", null).statusCode())
                    .isEqualTo(401);

            byte[] prices;
            try (InputStream in = getClass().getResourceAsStream("/pricing/default-prices.json")) {
                prices = in.readAllBytes();
            }
            ExpectedMetrics expected =
                    ExpectedMetrics.of(Workload.of(alphaRequests, alphaResponses), prices, WINDOW_MS, JOIN_TIMEOUT_MS);
            assertThat(expected.rows.values().stream()
                            .mapToLong(r -> r.timeouts)
                            .sum())
                    .isEqualTo(1);
            List<String> diffs;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            do {
                Thread.sleep(1000);
                diffs = MetricsComparison.differences(expected, alphaRows(query, t));
            } while (!diffs.isEmpty() && System.nanoTime() < deadline);
            assertThat(diffs)
                    .as("alpha's metrics are alpha's own events, whatever bravo sent")
                    .isEmpty();
        }
    }

    /** bravo's forged answer for one of alpha's request ids: accepted (it is bravo's own response). */
    private void forge(String ingest, String requestId, long ts) throws Exception {
        HttpResponse<String> answer = send(
                ingest + "/v1/llm/response",
                BRAVO_KEY,
                responseJson(new Workload.Response(requestId, ts, 99_999.0, 1_000_000, "forged")));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    }

    private <T> T post(String ingest, String key, T event) throws Exception {
        boolean request = event instanceof Workload.Request;
        String json = request ? requestJson((Workload.Request) event) : responseJson((Workload.Response) event);
        HttpResponse<String> answer = send(ingest + (request ? "/v1/llm/request" : "/v1/llm/response"), key, json);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return event;
    }

    private Map<ExpectedMetrics.Key, PipelineOutputs.Actual> alphaRows(String query, long since) throws Exception {
        Instant from = Instant.ofEpochMilli(since).minus(Duration.ofMinutes(5));
        HttpResponse<String> answer = get(
                query + "/v1/metrics?limit=1000&tenant_id=alpha&from=" + from + "&to="
                        + Instant.now().plus(Duration.ofMinutes(2)),
                ALPHA_KEY);
        assertThat(answer.statusCode()).isEqualTo(200);
        List<com.fasterxml.jackson.databind.JsonNode> rows = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .readTree(answer.body())
                .get("metrics")
                .forEach(rows::add);
        return PipelineOutputs.latestRevisions(rows);
    }

    private HttpResponse<String> send(String uri, String key, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(uri))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String uri, String key) throws Exception {
        HttpRequest.Builder call = HttpRequest.newBuilder(URI.create(uri)).GET();
        if (key != null) {
            call.header("X-API-Key", key);
        }
        return http.send(call.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String requestJson(Workload.Request r) {
        return new String(Workload.requestJson(r), StandardCharsets.UTF_8);
    }

    private static String responseJson(Workload.Response r) {
        return new String(Workload.responseJson(r), StandardCharsets.UTF_8);
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
