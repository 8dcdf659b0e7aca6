package dev.streamlens.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Synthetic LLM calls for {@code ./streamlens demo}, posted to ingest-service like an application
 * would: several tenants (each with its own error rate), routes, models of the price catalog
 * plus an unpriced in-house model, slow calls, unanswered requests, responses delivered
 * before their request, client retries (duplicates) and late events — some within the allowed
 * lateness (they revise a closed window), some beyond it (they go to llm.late-events).
 */
final class DemoTraffic implements AutoCloseable {

    static final Map<String, Integer> TENANT_ERROR_PERCENT = Map.of("acme", 2, "globex", 8, "initech", 4);
    static final List<String> TENANTS =
            TENANT_ERROR_PERCENT.keySet().stream().sorted().toList();
    private static final String[] ROUTES = {"chat", "search", "summarize"};
    private static final String UNPRICED_MODEL = "in-house-llm";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI requestUri;
    private final URI responseUri;
    private final List<String> models;
    private final Duration lateAge;
    /** tenant → API key, when keys are on (empty otherwise). */
    private final Map<String, String> apiKeys;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "demo-traffic");
        thread.setDaemon(true);
        return thread;
    });
    private final Random random = new Random();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private double owed;

    /**
     * @param window         the job's window: a call one window plus the out-of-orderness old lands
     *                       in a window the watermark has already closed, usually within the
     *                       allowed lateness (default 1m), so it revises that window
     * @param outOfOrderness the job's watermark bound
     */
    DemoTraffic(String ingestBaseUrl, Duration window, Duration outOfOrderness, Map<String, String> apiKeys) {
        this.apiKeys = apiKeys;
        this.requestUri = URI.create(ingestBaseUrl + "/v1/llm/request");
        this.responseUri = URI.create(ingestBaseUrl + "/v1/llm/response");
        this.models = pricedModels();
        this.lateAge = window.plus(outOfOrderness).plusSeconds(1);
    }

    /** Starts sending about {@code callsPerSecond} calls a second until closed. */
    void start(int callsPerSecond) {
        scheduler.scheduleAtFixedRate(
                () -> {
                    owed += callsPerSecond / 10.0;
                    for (; owed >= 1; owed--) {
                        call();
                    }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
    }

    long accepted() {
        return accepted.get();
    }

    long refused() {
        return refused.get();
    }

    long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** One LLM call: its request now (or later) and its response when the call "finishes". */
    private void call() {
        String tenant = TENANTS.get(random.nextInt(TENANTS.size()));
        String model = random.nextInt(100) < 3 ? UNPRICED_MODEL : models.get(random.nextInt(models.size()));
        int dice = random.nextInt(1000);
        Instant now = Instant.now();
        if (dice < 10) { // late: the whole call happened a while ago
            Instant at = now.minus(dice < 5 ? lateAge : Duration.ofMinutes(10)).minusMillis(2000);
            ObjectNode request = request(tenant, model, at);
            post(requestUri, request, 0, tenant);
            post(responseUri, response(request, 300 + random.nextInt(1500), tenant), 0, tenant);
            return;
        }
        long latency = dice < 60 ? 15_000 + random.nextInt(45_000) : 150 + (long) Math.abs(random.nextGaussian() * 900);
        ObjectNode request = request(tenant, model, now);
        boolean outOfOrder = dice >= 60 && dice < 160; // the response is delivered before its request
        post(requestUri, request, outOfOrder ? latency + 400 : 0, tenant);
        if (dice >= 160 && dice < 180) {
            return; // never answered: a timeout once the join timeout passes
        }
        ObjectNode response = response(request, latency, tenant);
        post(responseUri, response, latency, tenant);
        if (dice >= 180 && dice < 210) {
            post(responseUri, response, latency + 200, tenant); // a client retry: counted once
        }
    }

    private ObjectNode request(String tenant, String model, Instant at) {
        ObjectNode node = JSON.createObjectNode()
                .put("request_id", UUID.randomUUID().toString())
                .put("tenant_id", tenant)
                .put("route", ROUTES[random.nextInt(ROUTES.length)])
                .put("model", model.substring(model.indexOf('/') + 1))
                .put("timestamp", at.toString())
                .put("prompt_tokens", 50 + random.nextInt(3000));
        if (model.contains("/")) {
            node.put("provider", model.substring(0, model.indexOf('/')));
        }
        node.putObject("metadata").put("source", "streamlens-demo");
        return node;
    }

    private ObjectNode response(ObjectNode request, long latencyMs, String tenant) {
        boolean error = random.nextInt(100) < TENANT_ERROR_PERCENT.get(tenant);
        Instant requestedAt = Instant.parse(request.get("timestamp").asText());
        ObjectNode node = JSON.createObjectNode()
                .put("request_id", request.get("request_id").asText())
                .put("timestamp", requestedAt.plusMillis(latencyMs).toString())
                .put("latency_ms", latencyMs)
                .put("completion_tokens", error ? 0 : 20 + random.nextInt(1200))
                .put("finish_reason", error ? "error" : "stop");
        if (error) {
            node.put("error", random.nextBoolean() ? "rate_limit_exceeded" : "upstream_timeout");
        } else {
            node.putNull("error");
        }
        return node;
    }

    private void post(URI uri, ObjectNode body, long delayMs, String tenant) {
        String json = body.toString(); // fixed now: the caller may still change the node
        HttpRequest.Builder call = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (apiKeys.containsKey(tenant)) {
            call.header("Authorization", "Bearer " + apiKeys.get(tenant));
        }
        scheduler.schedule(
                () -> http.sendAsync(call.build(), HttpResponse.BodyHandlers.discarding())
                        .whenComplete((answer, error) -> {
                            if (error != null) {
                                failed.incrementAndGet();
                            } else if (answer.statusCode() / 100 == 2) {
                                accepted.incrementAndGet();
                            } else {
                                refused.incrementAndGet();
                            }
                        }),
                delayMs,
                TimeUnit.MILLISECONDS);
    }

    /** Models of the price catalog, each with the provider that served it ("provider/model"). */
    private static List<String> pricedModels() {
        return List.of(
                "openai/gpt-4o",
                "openai/gpt-4o-mini",
                "openai/gpt-5-mini",
                "anthropic/claude-sonnet-4-5",
                "anthropic/claude-haiku-4-5",
                "google/gemini-2.5-flash",
                "aws.bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
                "groq/llama-3.3-70b-versatile");
    }
}
