package dev.streamlens.ingest;

import static dev.streamlens.ingest.ProtoSpans.attr;
import static dev.streamlens.ingest.ProtoSpans.chat;
import static dev.streamlens.ingest.ProtoSpans.export;
import static dev.streamlens.ingest.ProtoSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.streamlens.model.Topics;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * OTLP over gRPC ({@code TraceService/Export}) with clients nobody here wrote: the OpenTelemetry
 * Java SDK's {@code OtlpGrpcSpanExporter} (gzip, its own retries) and grpc-java's client for the
 * status codes. The events on the topics are checked against the values the spans were given.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class OtlpGrpcIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theJavaSdksGrpcExporterSendsSpansOfEveryDialectAndOnlyTheCallsBecomeEvents() throws Exception {
        String tenant = "grpc-" + UUID.randomUUID();
        SdkTracerProvider provider =
                tracerProvider(tenant, exporter().setRetryPolicy(null).build());
        Tracer tracer = provider.get("streamlens-test");
        Instant start = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);

        Span genAi = tracer.spanBuilder("chat gpt-4o")
                .setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(start)
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.provider.name", "openai")
                .setAttribute("gen_ai.request.model", "gpt-4o")
                .setAttribute("gen_ai.usage.input_tokens", 120L)
                .setAttribute("gen_ai.usage.output_tokens", 40L)
                .startSpan();
        genAi.end(start.plusMillis(1500));
        Span openInference = tracer.spanBuilder("OpenAI Chat Completions")
                .setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(start.plusSeconds(1))
                .setAttribute("openinference.span.kind", "LLM")
                .setAttribute("llm.model_name", "gpt-4o-mini")
                .setAttribute("llm.system", "openai")
                .setAttribute("llm.token_count.prompt", 50L)
                .setAttribute("llm.token_count.completion", 9L)
                .setAttribute("llm.token_count.prompt_details.cache_read", 30L)
                .startSpan();
        openInference.end(start.plusMillis(1800));
        Span aiSdkWrapper = tracer.spanBuilder("ai.generateText")
                .setStartTimestamp(start.plusSeconds(2))
                .setAttribute("ai.operationId", "ai.generateText")
                .setAttribute("ai.model.id", "gpt-4o-mini")
                .setAttribute("ai.usage.inputTokens", 20L)
                .startSpan();
        Span aiSdkCall = tracer.spanBuilder("ai.generateText.doGenerate")
                .setStartTimestamp(start.plusSeconds(2))
                .setAttribute("ai.operationId", "ai.generateText.doGenerate")
                .setAttribute("ai.model.id", "gpt-4o-mini")
                .setAttribute("ai.model.provider", "openai.chat")
                .setAttribute("ai.usage.inputTokens", 20L)
                .setAttribute("ai.usage.outputTokens", 7L)
                .setAttribute("ai.response.finishReason", "length")
                .startSpan();
        aiSdkCall.end(start.plusMillis(2700));
        aiSdkWrapper.end(start.plusMillis(2800));
        Span http = tracer.spanBuilder("GET /search").setStartTimestamp(start).startSpan();
        http.end(start.plusMillis(20));

        CompletableResultCode flushed = provider.forceFlush().join(20, TimeUnit.SECONDS);
        assertThat(flushed.isSuccess()).as("the exporter got OK").isTrue();
        provider.shutdown().join(10, TimeUnit.SECONDS);

        Map<String, JsonNode> requests = events(Topics.REQUESTS);
        Map<String, JsonNode> responses = events(Topics.RESPONSES);
        assertThat(requests).doesNotContainKeys(id(aiSdkWrapper), id(http));
        assertThat(requests.get(id(genAi)).get("prompt_tokens").asLong()).isEqualTo(120);
        assertThat(requests.get(id(genAi)).get("tenant_id").asText()).isEqualTo(tenant);
        assertThat(responses.get(id(genAi)).get("completion_tokens").asLong()).isEqualTo(40);
        assertThat(responses.get(id(genAi)).get("latency_ms").asDouble()).isEqualTo(1500.0);
        assertThat(requests.get(id(openInference)).get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(requests.get(id(openInference)).get("prompt_tokens").asLong())
                .isEqualTo(50);
        assertThat(responses.get(id(openInference)).get("completion_tokens").asLong())
                .isEqualTo(9);
        assertThat(responses.get(id(openInference)).get("cached_prompt_tokens").asLong())
                .isEqualTo(30);
        assertThat(requests.get(id(aiSdkCall)).get("prompt_tokens").asLong()).isEqualTo(20);
        assertThat(responses.get(id(aiSdkCall)).get("completion_tokens").asLong())
                .isEqualTo(7);
        assertThat(responses.get(id(aiSdkCall)).get("finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void answersUseTheOtlpGrpcStatusCodes() throws Exception {
        String trace = UUID.randomUUID().toString().replace("-", "");
        try (GrpcExportClient client = new GrpcExportClient(GrpcExportClient.servicePort())) {
            GrpcExportClient.Answer garbage =
                    client.export("not protobuf".getBytes(StandardCharsets.UTF_8), Optional.empty(), false);
            assertThat(garbage.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(garbage.message()).startsWith("body: not an OTLP ExportTraceServiceRequest");

            ExportTraceServiceRequest mixed = export(
                    chat(trace, 1),
                    span(trace, 2, attr("gen_ai.operation.name", "chat")), // no model: rejected by name
                    span(trace, 3, attr("http.request.method", "GET")),
                    span(trace, 4, attr("openinference.span.kind", "CHAIN")));
            GrpcExportClient.Answer partial = client.export(mixed.toByteArray(), Optional.empty(), true);
            assertThat(partial.ok()).as("%s", partial).isTrue();
            assertThat(partial.response().getPartialSuccess().getRejectedSpans())
                    .isEqualTo(3);
            assertThat(partial.response().getPartialSuccess().getErrorMessage())
                    .startsWith(
                            "2 spans are not GenAI inference spans and were ignored; 1 GenAI spans were invalid (span "
                                    + trace + "-0000000000000002: model");

            GrpcExportClient.Answer clean =
                    client.export(export(chat(trace, 5)).toByteArray(), Optional.empty(), false);
            assertThat(clean.ok()).isTrue();
            assertThat(clean.response().hasPartialSuccess())
                    .as("no partial_success when all were taken")
                    .isFalse();
            String big = ProtoSpans.newTrace();
            io.opentelemetry.proto.trace.v1.Span[] tooMany = new io.opentelemetry.proto.trace.v1.Span[4097];
            for (int n = 0; n < tooMany.length; n++) {
                tooMany[n] = chat(big, n + 1);
            }
            GrpcExportClient.Answer overBound = client.export(export(tooMany).toByteArray(), Optional.empty(), true);
            assertThat(overBound.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(overBound.message()).isEqualTo("body: at most 4096 GenAI spans per export, not 4097");
            assertThat(overBound.retryDelaySeconds())
                    .as("no RetryInfo: not retryable")
                    .isNull();
        }
        List<String> written = TopicReader.readAll(Topics.REQUESTS).stream()
                .map(TopicReader.Entry::key)
                .filter(key -> key.startsWith(trace))
                .sorted()
                .toList();
        assertThat(written).containsExactly(trace + "-0000000000000001", trace + "-0000000000000005");
    }

    /**
     * A LangChain span around the OpenAI client's span of the same call (OpenInference's two
     * instrumentations): the call counts once; a layer the rules refuse does not stand in for the
     * valid one; a left-out layer sent again is left out again.
     */
    @Test
    void aCallTracedByTwoLayersCountsOnceAndAnInvalidLayerLosesNoCall() throws Exception {
        String langChain = "@arizeai/openinference-instrumentation-langchain";
        String openAi = "@arizeai/openinference-instrumentation-openai";
        String trace = ProtoSpans.newTrace();
        io.opentelemetry.proto.trace.v1.Span framework = span(trace, 1, attr("openinference.span.kind", "LLM"));
        io.opentelemetry.proto.trace.v1.Span provider =
                span(trace, 2, attr("openinference.span.kind", "LLM"), attr("llm.model_name", "gpt-4o-mini"))
                        .toBuilder()
                        .setStartTimeUnixNano(framework.getStartTimeUnixNano() + 3_000_000)
                        .setEndTimeUnixNano(framework.getEndTimeUnixNano() - 2_000_000)
                        .build();
        io.opentelemetry.proto.trace.v1.Span validFramework = framework.toBuilder()
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(ProtoSpans.spanId(3))))
                .addAttributes(attr("llm.model_name", "gpt-4o-mini"))
                .build();
        String app = "stacked-" + trace;
        try (GrpcExportClient client = new GrpcExportClient(GrpcExportClient.servicePort())) {
            // The framework span names no model: refused, and the provider span counts the call.
            GrpcExportClient.Answer invalidLayer = client.export(
                    ProtoSpans.twoScopes(app, langChain, framework, openAi, provider)
                            .toByteArray(),
                    Optional.empty(),
                    false);
            assertThat(invalidLayer.response().getPartialSuccess().getErrorMessage())
                    .startsWith("1 GenAI spans were invalid (span " + trace + "-" + ProtoSpans.spanId(1) + ": model");

            // A valid framework span of the same call, in a later export: left out, and again when sent again.
            byte[] later = ProtoSpans.twoScopes(app, langChain, validFramework, "unrelated", span(trace, 4))
                    .toByteArray();
            for (int attempt = 0; attempt < 2; attempt++) {
                GrpcExportClient.Answer answer = client.export(later, Optional.empty(), false);
                assertThat(answer.response().getPartialSuccess().getErrorMessage())
                        .as("attempt %d", attempt)
                        .isEqualTo("1 spans are not GenAI inference spans and were ignored; "
                                + "1 GenAI spans were another layer of a call already counted (one call, one count)");
            }
        }
        List<String> written = TopicReader.readAll(Topics.REQUESTS).stream()
                .map(TopicReader.Entry::key)
                .filter(key -> key.startsWith(trace))
                .toList();
        assertThat(written).containsExactly(trace + "-" + ProtoSpans.spanId(2));
    }

    /**
     * Kafka goes away: an export is answered UNAVAILABLE with a RetryInfo within the send timeout,
     * and the SDK's exporter, retrying, gets every span written once Kafka is back.
     */
    @Test
    void whileKafkaIsDownExportsAreUnavailableAndTheSdkRetriesUntilEveryCallIsWritten() throws Exception {
        String tenant = "grpc-outage-" + UUID.randomUUID();
        RetryPolicy patient = RetryPolicy.builder()
                .setMaxAttempts(5) // the SDK's most
                .setInitialBackoff(Duration.ofSeconds(1))
                .setMaxBackoff(Duration.ofSeconds(3))
                .build();
        SdkTracerProvider provider =
                tracerProvider(tenant, exporter().setRetryPolicy(patient).build());
        Tracer tracer = provider.get("streamlens-test");
        KafkaTestResource.broker().stop();
        List<String> sent = new ArrayList<>();
        CompletableFuture<CompletableResultCode> flushed;
        try {
            try (GrpcExportClient client = new GrpcExportClient(GrpcExportClient.servicePort())) {
                String trace = UUID.randomUUID().toString().replace("-", "");
                long asked = System.nanoTime();
                GrpcExportClient.Answer down =
                        client.export(export(chat(trace, 1)).toByteArray(), Optional.empty(), false);
                assertThat(down.code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(down.retryDelaySeconds()).as("RetryInfo").isNotNull().isPositive();
                assertThat(Duration.ofNanos(System.nanoTime() - asked))
                        .isLessThan(Duration.ofSeconds(3 + 5)); // the send timeout, and a broker just gone
            }
            Instant start = Instant.now().minusSeconds(10).truncatedTo(ChronoUnit.MILLIS);
            for (int i = 0; i < 5; i++) {
                Span call = tracer.spanBuilder("chat")
                        .setStartTimestamp(start.plusMillis(i))
                        .setAttribute("gen_ai.operation.name", "chat")
                        .setAttribute("gen_ai.request.model", "gpt-4o")
                        .setAttribute("gen_ai.usage.input_tokens", (long) i)
                        .startSpan();
                call.end(start.plusMillis(500 + i));
                sent.add(id(call));
            }
            flushed = CompletableFuture.supplyAsync(() -> provider.forceFlush().join(90, TimeUnit.SECONDS));
            Thread.sleep(3000); // an attempt or two fail while Kafka is away
        } finally {
            KafkaTestResource.broker().start();
        }
        assertThat(flushed.get(100, TimeUnit.SECONDS).isSuccess())
                .as("the exporter's retries succeed")
                .isTrue();
        provider.shutdown().join(10, TimeUnit.SECONDS);

        List<String> written = TopicReader.readAll(Topics.REQUESTS).stream()
                .map(TopicReader.Entry::key)
                .filter(sent::contains)
                .distinct()
                .sorted()
                .toList();
        // A span sent again is the same request_id: the job counts it once (docs/EVENTS.md).
        assertThat(written).containsExactlyElementsOf(sent.stream().sorted().toList());
    }

    private static io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder exporter() {
        return OtlpGrpcSpanExporter.builder()
                .setEndpoint("http://127.0.0.1:" + GrpcExportClient.servicePort())
                .setCompression("gzip")
                .setTimeout(Duration.ofSeconds(10));
    }

    private static SdkTracerProvider tracerProvider(String tenant, OtlpGrpcSpanExporter exporter) {
        return SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        "grpc-app",
                        AttributeKey.stringKey("tenant.id"),
                        tenant)))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
    }

    private static String id(Span span) {
        return span.getSpanContext().getTraceId() + "-" + span.getSpanContext().getSpanId();
    }

    private static Map<String, JsonNode> events(String topic) {
        return TopicReader.readAll(topic).stream()
                .collect(Collectors.toMap(TopicReader.Entry::key, OtlpGrpcIT::read, (a, b) -> b));
    }

    private static JsonNode read(TopicReader.Entry entry) {
        try {
            return JSON.readTree(entry.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
