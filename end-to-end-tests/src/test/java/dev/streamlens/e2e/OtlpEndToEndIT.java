package dev.streamlens.e2e;

import static dev.streamlens.e2e.StackProcess.JOIN_TIMEOUT_MS;
import static dev.streamlens.e2e.StackProcess.SHORT_TIMES;
import static dev.streamlens.e2e.StackProcess.WINDOW_MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.Workload;
import dev.streamlens.testing.TestDirectories;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Apps instrumented with the OpenTelemetry Java SDK (batch span processor, an OTLP/HTTP protobuf
 * exporter for one tenant and an OTLP/gRPC one for the other, as instrumented services run them)
 * send GenAI spans to a running {@code ./streamlens up}, and so does the OpenTelemetry JavaScript SDK (OTLP/JSON): the query API's rows equal the
 * expectation computed here from the same calls — counts, errors, tokens, prompt-cache and
 * reasoning tokens, cost with cache prices, latency and time-to-first-token percentiles, output
 * tokens per second; end users, sessions and the tag key {@code feature} from span attributes.
 */
class OtlpEndToEndIT {

    private static final String[] MODELS = {"gpt-4o", "claude-3-5-sonnet-20241022", "in-house-llm"};
    private static final String[] FEATURES = {"search", "chat", "summarize"};

    @Test
    void spansFromTheJavaSdkBecomeTheSameRowsAsTheirCalls() throws Exception {
        Path home = TestDirectories.fresh("e2e-otlp");
        Map<String, String> settings = StackProcess.settings(home, SHORT_TIMES);
        settings.put("STREAMLENS_TAG_KEYS", "feature"); // a custom dimension, read from span attributes
        QueryApi query = new QueryApi("http://127.0.0.1:" + settings.get("STREAMLENS_QUERY_PORT"));
        byte[] prices;
        try (InputStream in = getClass().getResourceAsStream("/pricing/default-prices.json")) {
            prices = in.readAllBytes();
        }
        Instant since = Instant.now().minus(Duration.ofMinutes(5));
        List<Workload.Request> requests = new ArrayList<>();
        List<Workload.Response> responses = new ArrayList<>();
        List<String> tenants = List.of("otlp-acme", "otlp-globex");
        String jsTenant = "otlp-js";

        try (StackProcess stack = StackProcess.up(settings)) {
            String traces = "http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT") + "/v1/traces";
            Random random = new Random(14);
            long first = System.currentTimeMillis();
            List<SdkTracerProvider> providers = new ArrayList<>();
            // The first tenant's app exports over OTLP/HTTP, the second's over OTLP/gRPC (4317's stand-in).
            String grpc = "http://127.0.0.1:" + settings.get("STREAMLENS_OTLP_GRPC_PORT");
            for (String tenant : tenants) {
                SpanExporter exporter = tenant.equals(tenants.get(0))
                        ? OtlpHttpSpanExporter.builder().setEndpoint(traces).build()
                        : OtlpGrpcSpanExporter.builder()
                                .setEndpoint(grpc)
                                .setCompression("gzip")
                                .build();
                providers.add(SdkTracerProvider.builder()
                        .setResource(Resource.create(Attributes.of(
                                AttributeKey.stringKey("service.name"),
                                "assistant",
                                AttributeKey.stringKey("tenant.id"),
                                tenant)))
                        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                        .build());
            }
            for (int i = 0; i < 300; i++) {
                int t = i % tenants.size();
                Tracer tracer = providers.get(t).get("otlp-e2e");
                // Calls of the last 10 s, each ended at least a second ago, all exported within a second or
                // two: live traffic, never behind the watermark by more than the allowed lateness.
                long start = first - 10_000 + random.nextInt(8_000);
                long latency = 100 + random.nextInt(900);
                String model = MODELS[random.nextInt(MODELS.length)];
                String route = random.nextBoolean() ? "chat" : "search";
                long prompt = random.nextInt(3000);
                long completion = random.nextInt(800);
                long cached = random.nextInt(100) < 40 ? random.nextLong(prompt + 1) : 0;
                long written = random.nextInt(100) < 15 ? random.nextLong(prompt - cached + 1) : 0;
                long reasoning = random.nextInt(100) < 30 ? random.nextLong(completion + 1) : 0;
                Double ttft = random.nextBoolean() ? (double) random.nextLong(latency + 1) : null;
                boolean failed = random.nextInt(100) < 10;
                // Some successful calls stop at the token limit: truncated_requests through the OTLP path.
                String finishReason = failed ? null : random.nextInt(100) < 20 ? "length" : "stop";
                // End users and sessions as the OTel conventions spell them; one call in seven names neither.
                String user = i % 7 == 0 ? null : "user-" + (i % 5);
                String session = user == null || i % 3 == 0 ? null : user + "/conversation-" + (i % 4);
                // The tag key "feature" in StreamLens's own spelling (HTTP tenant) and Langfuse's (gRPC
                // tenant); one call in five names none.
                String feature = i % 5 == 2 ? null : FEATURES[i % FEATURES.length];
                var builder = tracer.spanBuilder("chat " + model)
                        .setStartTimestamp(Instant.ofEpochMilli(start))
                        .setAttribute("gen_ai.operation.name", "chat")
                        .setAttribute("gen_ai.request.model", model)
                        .setAttribute("streamlens.route", route)
                        .setAttribute("gen_ai.usage.input_tokens", prompt)
                        .setAttribute("gen_ai.usage.output_tokens", completion);
                if (user != null) {
                    builder.setAttribute("user.id", user);
                }
                if (session != null) {
                    builder.setAttribute("session.id", session);
                }
                if (feature != null) {
                    builder.setAttribute(
                            t == 0 ? "streamlens.tag.feature" : "langfuse.trace.metadata.feature", feature);
                }
                if (cached > 0) {
                    builder.setAttribute("gen_ai.usage.cache_read.input_tokens", cached);
                }
                if (written > 0) {
                    builder.setAttribute("gen_ai.usage.cache_creation.input_tokens", written);
                }
                if (reasoning > 0) {
                    builder.setAttribute("gen_ai.usage.reasoning.output_tokens", reasoning);
                }
                if (ttft != null) {
                    builder.setAttribute("gen_ai.response.time_to_first_chunk", ttft / 1000);
                }
                if (finishReason != null) {
                    builder.setAttribute(
                            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of(finishReason));
                }
                Span span = builder.startSpan();
                if (failed) {
                    span.setStatus(StatusCode.ERROR);
                    span.setAttribute("error.type", "rate_limit_exceeded");
                }
                span.end(Instant.ofEpochMilli(start + latency));
                String id = span.getSpanContext().getTraceId() + "-"
                        + span.getSpanContext().getSpanId();
                requests.add(
                        new Workload.Request(id, tenants.get(t), route, model, start, prompt, user, session, feature));
                responses.add(new Workload.Response(
                        id,
                        start + latency,
                        (double) latency,
                        completion,
                        failed ? "rate_limit_exceeded" : null,
                        cached,
                        written,
                        reasoning,
                        ttft,
                        finishReason));
            }
            for (SdkTracerProvider provider : providers) {
                CompletableResultCode flushed = provider.forceFlush().join(60, TimeUnit.SECONDS);
                assertThat(flushed.isSuccess())
                        .as("the SDK's exports were answered 200 (HTTP) or OK (gRPC)")
                        .isTrue();
                provider.shutdown().join(10, TimeUnit.SECONDS);
            }

            javaScriptClient(traces, jsTenant, requests, responses);

            ExpectedMetrics expected =
                    ExpectedMetrics.of(Workload.of(requests, responses), prices, WINDOW_MS, JOIN_TIMEOUT_MS);
            assertThat(expected.rows.values().stream()
                            .mapToLong(r -> r.cachedPromptTokens)
                            .sum())
                    .isPositive();
            assertThat(expected.rows.values().stream()
                            .mapToInt(r -> r.ttfts.size())
                            .sum())
                    .isPositive();
            assertThat(expected.rows.values().stream()
                            .mapToLong(r -> r.truncated)
                            .sum())
                    .isPositive();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            List<String> diffs;
            do {
                Thread.sleep(1000);
                diffs = MetricsComparison.differences(
                        expected, query.windows(Set.of(tenants.get(0), tenants.get(1), jsTenant), since));
            } while (!diffs.isEmpty() && System.nanoTime() < deadline);
            assertThat(diffs.size() > 40 ? diffs.subList(0, 40) : diffs)
                    .as("query API vs the calls the spans describe")
                    .isEmpty();
            for (String tenant : List.of(tenants.get(0), tenants.get(1), jsTenant)) {
                assertThat(query.contributorDifferences(expected, tenant))
                        .as("%s's end users and sessions (user.id, session.id) vs the spans", tenant)
                        .isEmpty();
                assertThat(query.featureDifferences(expected, tenant))
                        .as("%s's values of the tag key feature (span attributes) vs the spans", tenant)
                        .isEmpty();
            }
        }
    }

    /**
     * The OpenTelemetry JavaScript SDK (OTLP/JSON), as ingest-service's OtlpJavaScriptClientIT runs
     * it (installed there by the build): two LLM calls whose attributes the script fixes, and an
     * HTTP call that does not count.
     */
    private static void javaScriptClient(
            String traces, String tenant, List<Workload.Request> requests, List<Workload.Response> responses)
            throws Exception {
        Path client = StackProcess.ROOT.resolve("ingest-service/target/otlp-js-client");
        long start = System.currentTimeMillis() - 5_000;
        Process node = new ProcessBuilder("node", "export-genai-spans.js", traces, tenant, Long.toString(start))
                .directory(client.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(node.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        com.fasterxml.jackson.databind.JsonNode report =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        assertThat(report.get("results"))
                .allSatisfy(code -> assertThat(code.asInt()).isZero());
        for (com.fasterxml.jackson.databind.JsonNode span : report.get("spans")) {
            String id = span.get("id").asText();
            long from = span.get("start").asLong();
            long to = span.get("end").asLong();
            switch (span.get("name").asText()) {
                case "chat claude-3-5-sonnet" -> {
                    requests.add(
                            new Workload.Request(id, tenant, "checkout", "claude-3-5-sonnet", from, 900, null, null));
                    responses.add(new Workload.Response(id, to, (double) (to - from), 150, null, 600, 0, 0, null));
                }
                case "text_completion gpt-4o-mini" -> {
                    requests.add(new Workload.Request(id, tenant, "checkout", "gpt-4o-mini", from, 40, null, null));
                    responses.add(new Workload.Response(id, to, (double) (to - from), 12, "timeout"));
                }
                default -> {} // the HTTP call
            }
        }
    }
}
