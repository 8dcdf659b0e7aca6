package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.infra.FreePorts;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.PipelineOutputs;
import dev.streamlens.job.it.Workload;
import dev.streamlens.model.Topics;
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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two ingest-service and two query-service instances on one Kafka and one PostgreSQL (the
 * stack's, plus a second of each on its own port), API keys and rate limits on, as behind a load
 * balancer: calls spread by concurrent clients over both ingest instances are each counted once,
 * and both query instances answer the same rows, equal to the independent expectation; every
 * instance honours every key and refuses a wrong one; a tenant's rate limit is a bucket per
 * instance (docs/CAPACITY.md#several-instances); every instance is live and ready.
 */
class ScaledOutServicesIT {

    private static final Map<String, String> KEYS = Map.of(
            "acme",
            "acme-key-5e1d",
            "globex",
            "globex-key-08b2",
            "initech",
            "initech-key-c4a7",
            "capped",
            "capped-key-2f90");
    /** The capped tenant's events per second, per instance; bursts of two seconds' worth. */
    private static final int CAPPED_RATE = 20;

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @Test
    void twoInstancesOfEachServiceCountEveryCallOnceAndHoldKeysAndLimitsPerInstance() throws Exception {
        Path home = TestDirectories.fresh("scaled-out");
        Path keys = home.resolve("keys.json");
        StringBuilder entries = new StringBuilder();
        for (Map.Entry<String, String> key : KEYS.entrySet()) {
            entries.append(entries.isEmpty() ? "" : ",")
                    .append("{\"tenant_id\": \"")
                    .append(key.getKey())
                    .append("\", \"sha256\": \"")
                    .append(sha256(key.getValue()))
                    .append('"')
                    .append(key.getKey().equals("capped") ? ", \"events_per_second\": " + CAPPED_RATE : "")
                    .append('}');
        }
        Files.writeString(keys, "{\"keys\": [" + entries + "]}");
        Map<String, String> settings = new HashMap<>(StackProcess.SHORT_TIMES);
        settings.putAll(Map.of("STREAMLENS_AUTH", "api-key", "STREAMLENS_API_KEYS_FILE", keys.toString()));
        settings = StackProcess.settings(home, settings);

        try (StackProcess stack = StackProcess.up(settings);
                ServiceInstance secondIngest = ServiceInstance.start(
                        "ingest-service",
                        home,
                        Map.of(
                                "KAFKA_BROKERS",
                                "127.0.0.1:" + settings.get("STREAMLENS_KAFKA_PORT"),
                                "STREAMLENS_AUTH",
                                "api-key",
                                "STREAMLENS_API_KEYS_FILE",
                                keys.toString()));
                ServiceInstance secondQuery = ServiceInstance.start(
                        "query-service",
                        home,
                        Map.of(
                                "KAFKA_BROKERS",
                                "127.0.0.1:" + settings.get("STREAMLENS_KAFKA_PORT"),
                                "STREAMLENS_JDBC_URL",
                                "jdbc:postgresql://127.0.0.1:" + settings.get("STREAMLENS_POSTGRES_PORT") + "/postgres",
                                "STREAMLENS_AUTH",
                                "api-key",
                                "STREAMLENS_API_KEYS_FILE",
                                keys.toString()))) {
            List<String> ingest =
                    List.of("http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT"), secondIngest.url());
            List<String> query =
                    List.of("http://127.0.0.1:" + settings.get("STREAMLENS_QUERY_PORT"), secondQuery.url());

            for (String instance : List.of(ingest.get(0), ingest.get(1), query.get(0), query.get(1))) {
                assertThat(get(instance + "/health", null).statusCode())
                        .as(instance)
                        .isEqualTo(200);
                assertThat(get(instance + "/q/health/ready", null).statusCode())
                        .as(instance)
                        .isEqualTo(200);
                assertThat(get(instance + "/q/health/live", null).statusCode())
                        .as(instance)
                        .isEqualTo(200);
            }

            // Load: 16 clients, each event to one instance or the other, every call acknowledged.
            long start = System.currentTimeMillis() + 2_000;
            Workload workload = Workload.generate(
                    61,
                    4000,
                    start,
                    Duration.ofSeconds(25).toMillis(),
                    StackProcess.JOIN_TIMEOUT_MS,
                    1500,
                    3_000,
                    15_000);
            Map<String, String> tenantOf = new HashMap<>();
            workload.requests.forEach(r -> tenantOf.put(r.id(), r.tenant()));
            List<String> refused = sendSpread(workload.deliveries, ingest, tenantOf);
            assertThat(refused).as("calls not acknowledged").isEmpty();

            ExpectedMetrics expected =
                    ExpectedMetrics.of(workload, prices(), StackProcess.WINDOW_MS, StackProcess.JOIN_TIMEOUT_MS);
            Instant from = Instant.ofEpochMilli(start).minus(Duration.ofMinutes(2));
            for (String instance : query) {
                awaitNoDifferences(instance, () -> MetricsComparison.differences(expected, windows(instance, from)));
            }

            // Keys: the same on every instance.
            for (String instance : ingest) {
                String acmeRequest = new String(
                        Workload.requestJson(new Workload.Request(
                                "k-" + instance.hashCode(), "acme", "chat", "gpt-4o", System.currentTimeMillis(), 10)),
                        StandardCharsets.UTF_8);
                assertThat(post(instance + "/v1/llm/request", null, acmeRequest).statusCode())
                        .isEqualTo(401);
                assertThat(post(instance + "/v1/llm/request", "not-a-key", acmeRequest)
                                .statusCode())
                        .isEqualTo(401);
                assertThat(post(instance + "/v1/llm/request", KEYS.get("globex"), acmeRequest)
                                .statusCode())
                        .isEqualTo(403);
            }
            for (String instance : query) {
                assertThat(get(instance + "/v1/metrics?tenant_id=acme", null).statusCode())
                        .isEqualTo(401);
                assertThat(get(instance + "/v1/metrics?tenant_id=acme", "not-a-key")
                                .statusCode())
                        .isEqualTo(401);
                assertThat(get(instance + "/v1/metrics?tenant_id=acme", KEYS.get("globex"))
                                .statusCode())
                        .isEqualTo(403);
            }

            assertRateLimitIsPerInstance(ingest);
        }
    }

    /**
     * The capped tenant sends as fast as it can to both instances at once for a moment: each
     * instance admits at most its own bucket (burst plus rate × time), and together they admit
     * more than one bucket could: behind N instances a tenant gets N times the per-instance limit.
     */
    private void assertRateLimitIsPerInstance(List<String> ingest) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        AtomicInteger[] admitted = {new AtomicInteger(), new AtomicInteger()};
        AtomicInteger limitedWithoutRetryAfter = new AtomicInteger();
        long began = System.nanoTime();
        List<Future<?>> sending = new ArrayList<>();
        for (int client = 0; client < 4; client++) {
            int instance = client % 2;
            sending.add(clients.submit(() -> {
                for (int i = 0; i < 60; i++) {
                    String body = new String(
                            Workload.requestJson(new Workload.Request(
                                    "capped-" + instance + "-"
                                            + Thread.currentThread().getId() + "-" + i,
                                    "capped",
                                    "chat",
                                    "gpt-4o",
                                    System.currentTimeMillis(),
                                    10)),
                            StandardCharsets.UTF_8);
                    HttpResponse<String> answer =
                            post(ingest.get(instance) + "/v1/llm/request", KEYS.get("capped"), body);
                    if (answer.statusCode() == 202) {
                        admitted[instance].incrementAndGet();
                    } else if (answer.statusCode() != 429
                            || answer.headers().firstValue("Retry-After").isEmpty()) {
                        limitedWithoutRetryAfter.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : sending) {
            f.get(1, TimeUnit.MINUTES);
        }
        clients.shutdown();
        double seconds = (System.nanoTime() - began) / 1e9;
        double oneBucket = 2 * CAPPED_RATE + CAPPED_RATE * seconds; // burst of two seconds' worth, then the rate
        assertThat(limitedWithoutRetryAfter)
                .as("refusals other than 429 with Retry-After")
                .hasValue(0);
        assertThat(seconds)
                .as("the burst must be sent within the time it takes a bucket to refill")
                .isLessThan(4);
        for (AtomicInteger instance : admitted) {
            assertThat(instance.get())
                    .as("admitted by one instance in %.1f s", seconds)
                    .isLessThanOrEqualTo((int) Math.ceil(oneBucket) + 1)
                    .isGreaterThanOrEqualTo(2 * CAPPED_RATE);
        }
        assertThat(admitted[0].get() + admitted[1].get())
                .as("admitted by both")
                .isGreaterThan((int) Math.ceil(oneBucket) + 1);
    }

    /** Sends every delivery at its time, spread over the instances, 16 at once; returns the refusals. */
    private List<String> sendSpread(
            List<Workload.Delivery> deliveries, List<String> ingest, Map<String, String> tenantOf) throws Exception {
        ConcurrentLinkedQueue<Workload.Delivery> queue = new ConcurrentLinkedQueue<>(deliveries);
        List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sent = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            running.add(clients.submit(() -> {
                Workload.Delivery d;
                while ((d = queue.poll()) != null) {
                    long wait = d.deliverAt() - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                    boolean request = d.topic().equals(Topics.REQUESTS);
                    // A response carries no tenant: it is sent with its request's tenant's key (an orphan with acme's).
                    String key = KEYS.get(tenantOf.getOrDefault(d.key(), "acme"));
                    String instance = ingest.get(sent.getAndIncrement() % ingest.size());
                    HttpResponse<String> answer = post(
                            instance + (request ? "/v1/llm/request" : "/v1/llm/response"),
                            key,
                            new String(d.value(), StandardCharsets.UTF_8));
                    if (answer.statusCode() != 202) {
                        refused.add(instance + ": " + answer.statusCode() + " " + answer.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(3, TimeUnit.MINUTES);
        }
        clients.shutdown();
        return refused;
    }

    private Map<ExpectedMetrics.Key, PipelineOutputs.Actual> windows(String queryUrl, Instant from) {
        try {
            List<JsonNode> rows = new ArrayList<>();
            for (String tenant : Workload.TENANTS) {
                HttpResponse<String> answer = get(
                        queryUrl + "/v1/metrics?limit=1000&tenant_id=" + tenant + "&from=" + from + "&to="
                                + Instant.now().plus(Duration.ofMinutes(2)),
                        KEYS.get(tenant));
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException(answer.statusCode() + " " + answer.body());
                }
                JSON.readTree(answer.body()).get("metrics").forEach(rows::add);
            }
            return PipelineOutputs.latestRevisions(rows);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitNoDifferences(String what, java.util.function.Supplier<List<String>> differences)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        List<String> last = differences.get();
        while (!last.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            last = differences.get();
        }
        assertThat(last).as("rows answered by %s against the expectation", what).isEmpty();
    }

    private HttpResponse<String> post(String uri, String key, String json) throws Exception {
        HttpRequest.Builder call = HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            call.header("Authorization", "Bearer " + key);
        }
        return http.send(call.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String uri, String key) throws Exception {
        HttpRequest.Builder call = HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(10))
                .GET();
        if (key != null) {
            call.header("Authorization", "Bearer " + key);
        }
        return http.send(call.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] prices() throws Exception {
        try (InputStream in = ScaledOutServicesIT.class.getResourceAsStream("/pricing/default-prices.json")) {
            return in.readAllBytes();
        }
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** One more instance of a service's packaged app, on a free port, beside the stack's. */
    private static final class ServiceInstance implements AutoCloseable {
        private final Process process;
        private final int port;

        private ServiceInstance(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static ServiceInstance start(String module, Path home, Map<String, String> env) throws Exception {
            int port = FreePorts.pick();
            Path jar = StackProcess.ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
            ProcessBuilder builder = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx512m",
                            "-jar",
                            jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(home.resolve(module + "-2.log").toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("STREAMLENS_"));
            builder.environment().putAll(env);
            builder.environment().put("HTTP_PORT", Integer.toString(port));
            builder.environment().put("OTLP_GRPC_PORT", Integer.toString(FreePorts.pick())); // the ingest service's
            builder.environment().put("STREAMLENS_HTTP_HOST", "127.0.0.1");
            ServiceInstance instance = new ServiceInstance(builder.start(), port);
            HttpClient probe = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                if (!instance.process.isAlive()) {
                    throw new IllegalStateException(module + " exited; see " + home.resolve(module + "-2.log"));
                }
                try {
                    if (probe.send(
                                            HttpRequest.newBuilder(URI.create(instance.url() + "/health"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return instance;
                    }
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(250);
            }
            instance.close();
            throw new IllegalStateException(module + " did not become healthy; see " + home.resolve(module + "-2.log"));
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
