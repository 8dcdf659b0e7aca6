package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.streamlens.infra.FreePorts;
import dev.streamlens.testing.TestDirectories;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real {@code ./streamlens up} script: it prints "StreamLens is up", both services answer
 * /health, prices change while it runs ({@code ./streamlens prices update} against a local file
 * server), and SIGTERM stops every part within seconds, leaving no process and no listening port.
 */
class StreamLensUpIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void upStartsEverythingChangesPricesLiveAndSigtermLeavesNothingBehind() throws Exception {
        Map<String, String> settings = StackProcess.settings(TestDirectories.fresh("up"), StackProcess.SHORT_TIMES);
        try (StackProcess stack = StackProcess.up(settings)) {
            HttpClient http = HttpClient.newHttpClient();
            for (String port : List.of("STREAMLENS_INGEST_PORT", "STREAMLENS_QUERY_PORT")) {
                HttpResponse<String> health = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + settings.get(port) + "/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"healthy\"");
            }
            List<ProcessHandle> children =
                    stack.process().toHandle().descendants().toList();
            assertThat(children)
                    .as("Kafka, the job and both services run as their own processes")
                    .hasSizeGreaterThanOrEqualTo(4);
            assertThat(managedMemoryOfTheTaskManager(http, settings))
                    .as("RocksDB's managed memory on the local mini-cluster (Flink's local default is 128 MB)")
                    .isEqualTo(512L * 1024 * 1024);

            pricesChangeWhileItRuns(settings);

            // A second `up` on the same directory refuses and leaves the running stack alone.
            ProcessBuilder second = new ProcessBuilder(
                            "bash", StackProcess.ROOT.resolve("streamlens").toString(), "up")
                    .directory(StackProcess.ROOT.toFile())
                    .redirectErrorStream(true);
            second.environment().putAll(settings);
            Process refused = second.start();
            String refusal =
                    new String(refused.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).as(refusal).isNotZero();
            assertThat(refusal).contains("StreamLens is already running from");
            assertThat(children).as("the running stack is untouched").allMatch(ProcessHandle::isAlive);

            long stopping = System.nanoTime();
            stack.process().destroy(); // SIGTERM to the launcher (the script exec's into it)
            assertThat(stack.process().waitFor(60, TimeUnit.SECONDS))
                    .as("stopped in time")
                    .isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopping))
                    .isLessThan(30);
            Thread.sleep(1000);
            assertThat(children).as("no process left behind").noneMatch(ProcessHandle::isAlive);
            settings.forEach((name, value) -> {
                if (name.endsWith("_PORT")) {
                    assertThat(FreePorts.isListening(Integer.parseInt(value)))
                            .as("%s still listening", name)
                            .isFalse();
                }
            });
        }
    }

    /**
     * {@code ./streamlens prices update} refuses a catalog that breaks the schema and publishes one that
     * keeps it (the carried catalog plus a lab provider's model at 1 and 2 USD per million tokens),
     * in force from the next window on; a call of that time is priced by it, and a call of before it,
     * sent after it, keeps the earlier prices (the model was unpriced).
     */
    private static void pricesChangeWhileItRuns(Map<String, String> settings) throws Exception {
        QueryApi query = new QueryApi("http://127.0.0.1:" + settings.get("STREAMLENS_QUERY_PORT"));
        ArrayNode catalog =
                (ArrayNode) JSON.readTree(PricesUpdate.class.getResourceAsStream("/pricing/genai-prices/data.json"));
        catalog.addObject()
                .put("id", "e2e-lab")
                .put("name", "E2E lab")
                .put("api_pattern", "https://lab\\.example")
                .putArray("models")
                .addObject()
                .put("id", "lab-model")
                .set("match", JSON.createObjectNode().put("equals", "lab-model"));
        ((ObjectNode) catalog.get(catalog.size() - 1).get("models").get(0))
                .putObject("prices")
                .put("input_mtok", 1)
                .put("output_mtok", 2);
        ArrayNode broken = catalog.deepCopy();
        ((ObjectNode) broken.get(0).get("models").get(0)).remove("match");

        HttpServer files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Map<String, byte[]> served =
                Map.of("/data.json", JSON.writeValueAsBytes(catalog), "/broken.json", JSON.writeValueAsBytes(broken));
        files.createContext("/", exchange -> {
            byte[] body = served.get(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        files.start();
        try {
            String base = "http://127.0.0.1:" + files.getAddress().getPort();
            PricesUpdate refused = PricesUpdate.run(settings, "--url", base + "/broken.json");
            assertThat(refused.exitCode()).as(refused.output()).isNotZero();
            assertThat(refused.output()).contains("breaks the catalog's schema", "required property 'match'");
            assertThat(query.get("/v1/prices").get("versions"))
                    .as("nothing published")
                    .isEmpty();

            // In force from the next window boundary (10 s windows) on.
            Instant effective = Instant.ofEpochSecond((Instant.now().getEpochSecond() / 10 + 1) * 10);
            PricesUpdate published =
                    PricesUpdate.run(settings, "--url", base + "/data.json", "--effective-from", effective.toString());
            assertThat(published.exitCode()).as(published.output()).isZero();
            JsonNode versions = query.get("/v1/prices").get("versions");
            assertThat(versions).hasSize(1);
            assertThat(versions.get(0).get("version").asLong()).isEqualTo(1);
        } finally {
            files.stop(0);
        }
        Instant effective = Instant.parse(query.get("/v1/prices")
                .get("versions")
                .get(0)
                .get("effective_from")
                .asText());
        Thread.sleep(3000); // the job reads the version from llm.prices within a second or so

        String ingest = "http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT");
        postCall(ingest, "price-before", effective.minusSeconds(2));
        postCall(ingest, "price-after", effective.plusSeconds(1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Map<String, JsonNode> rows = Map.of();
        while (System.nanoTime() < deadline && rows.size() < 2) {
            rows = query.rows(List.of("acme"), effective.minusSeconds(60)).stream()
                    .filter(row -> row.get("route").asText().startsWith("price-"))
                    .collect(java.util.stream.Collectors.toMap(
                            row -> row.get("route").asText(), row -> row));
            Thread.sleep(1000);
        }
        assertThat(rows).containsKeys("price-before", "price-after");
        // 1,000 prompt and 100 completion tokens at 1 and 2 USD per million.
        assertThat(rows.get("price-after").get("estimated_cost_usd").decimalValue())
                .isEqualByComparingTo(new BigDecimal("0.0012"));
        assertThat(rows.get("price-after").get("price_version").asLong()).isEqualTo(1);
        assertThat(rows.get("price-before").get("unpriced_requests").asLong()).isEqualTo(1);
        assertThat(rows.get("price-before").get("estimated_cost_usd").decimalValue())
                .isZero();
        assertThat(rows.get("price-before").get("price_version").asLong()).isZero();
    }

    /** The managed memory of the job's task manager, in bytes, as Flink's REST API reports it. */
    private static long managedMemoryOfTheTaskManager(HttpClient http, Map<String, String> settings) throws Exception {
        URI taskManagers = URI.create("http://127.0.0.1:" + settings.get("STREAMLENS_FLINK_UI_PORT") + "/taskmanagers");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            HttpResponse<String> answer =
                    http.send(HttpRequest.newBuilder(taskManagers).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode registered = answer.statusCode() == 200
                    ? JSON.readTree(answer.body()).path("taskmanagers")
                    : JSON.createArrayNode();
            if (registered.size() > 0 || System.nanoTime() > deadline) {
                assertThat(registered).as(answer.body()).hasSize(1);
                return registered
                        .get(0)
                        .at("/memoryConfiguration/managedMemory")
                        .asLong();
            }
            Thread.sleep(500);
        }
    }

    /** A call of the lab model (provider e2e-lab), answered at {@code at}, in its own route. */
    private static void postCall(String ingest, String route, Instant at) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String id = route + "-" + UUID.randomUUID();
        String request = JSON.createObjectNode()
                .put("request_id", id)
                .put("tenant_id", "acme")
                .put("route", route)
                .put("model", "lab-model")
                .put("provider", "e2e-lab")
                .put("timestamp", at.minusMillis(400).toString())
                .put("prompt_tokens", 1000)
                .toString();
        String response = JSON.createObjectNode()
                .put("request_id", id)
                .put("timestamp", at.toString())
                .put("latency_ms", 400)
                .put("completion_tokens", 100)
                .toString();
        for (String[] event : new String[][] {{"/v1/llm/request", request}, {"/v1/llm/response", response}}) {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(URI.create(ingest + event[0]))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(event[1]))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        }
    }

    /** One run of {@code ./streamlens prices update} with the stack's settings. */
    private record PricesUpdate(int exitCode, String output) {
        static PricesUpdate run(Map<String, String> settings, String... options) throws Exception {
            List<String> command = new java.util.ArrayList<>(
                    List.of("bash", StackProcess.ROOT.resolve("streamlens").toString(), "prices", "update"));
            command.addAll(List.of(options));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(StackProcess.ROOT.toFile())
                    .redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith("STREAMLENS_"));
            builder.environment().putAll(settings);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            return new PricesUpdate(process.exitValue(), output);
        }
    }
}
