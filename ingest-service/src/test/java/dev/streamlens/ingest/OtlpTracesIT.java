package dev.streamlens.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.streamlens.model.Topics;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/traces} with clients nobody here wrote: the OpenTelemetry Java SDK's OTLP/HTTP
 * exporter (protobuf, gzip) emitting GenAI spans as an instrumented app would, and OTLP/JSON as
 * the JavaScript exporter sends it. The events on the topics are checked against values computed
 * here from the spans themselves.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class OtlpTracesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/traces")
    URL traces;

    @Test
    void theJavaSdkExportsGenAiSpansThatBecomeRequestAndResponseEvents() throws Exception {
        String tenant = "otlp-" + UUID.randomUUID();
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(traces.toString())
                .setCompression("gzip")
                .build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        "support-bot",
                        AttributeKey.stringKey("tenant.id"),
                        tenant)))
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        Tracer tracer = provider.get("streamlens-test");
        Instant start = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);

        // Current attribute names, a streamed call.
        Span chat = tracer.spanBuilder("chat gpt-4o")
                .setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(start)
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.provider.name", "openai")
                .setAttribute("gen_ai.request.model", "gpt-4o")
                .setAttribute("gen_ai.response.model", "gpt-4o-2024-08-06")
                .setAttribute("gen_ai.usage.input_tokens", 120L)
                .setAttribute("gen_ai.usage.output_tokens", 40L)
                .setAttribute("gen_ai.usage.cache_read.input_tokens", 100L)
                .setAttribute("gen_ai.usage.reasoning.output_tokens", 12L)
                .setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop"))
                .setAttribute("gen_ai.response.time_to_first_chunk", 0.25)
                .startSpan();
        chat.end(start.plusMillis(1500));
        // Older attribute names, a failed call on a route named by the app.
        Span legacy = tracer.spanBuilder("openai.chat")
                .setStartTimestamp(start.plusSeconds(1))
                .setAttribute("gen_ai.system", "openai")
                .setAttribute("gen_ai.request.model", "gpt-4o-mini")
                .setAttribute("gen_ai.usage.prompt_tokens", 10L)
                .setAttribute("gen_ai.usage.completion_tokens", 5L)
                .setAttribute("gen_ai.usage.cache_creation.input_tokens", 8L)
                .setAttribute("streamlens.route", "triage")
                .setAttribute("error.type", "rate_limit_exceeded")
                .startSpan();
        legacy.setStatus(StatusCode.ERROR, "429 from the provider");
        legacy.end(start.plusMillis(1200));
        // Not inference: an HTTP span and an embeddings call are left out.
        tracer.spanBuilder("GET /search").setStartTimestamp(start).startSpan().end(start.plusMillis(20));
        Span embeddings = tracer.spanBuilder("embeddings")
                .setStartTimestamp(start)
                .setAttribute("gen_ai.operation.name", "embeddings")
                .setAttribute("gen_ai.request.model", "text-embedding-3")
                .startSpan();
        embeddings.end(start.plusMillis(80));

        CompletableResultCode flushed = provider.forceFlush().join(20, TimeUnit.SECONDS);
        assertThat(flushed.isSuccess()).as("the exporter got a 200").isTrue();
        provider.shutdown().join(10, TimeUnit.SECONDS);

        Map<String, JsonNode> requests = events(Topics.REQUESTS);
        Map<String, JsonNode> responses = events(Topics.RESPONSES);
        String chatId = id(chat);
        assertThat(requests.get(chatId)).isEqualTo(JSON.readTree("""
                {"request_id": "%s", "tenant_id": "%s", "route": "support-bot", "model": "gpt-4o-2024-08-06",
                 "provider": "openai", "timestamp": "%s", "prompt_tokens": 120,
                 "metadata": {"source": "otlp", "dialect": "gen_ai", "operation": "chat"}}
                """.formatted(chatId, tenant, start)));
        JsonNode chatResponse = responses.get(chatId);
        assertThat(chatResponse.get("timestamp").asText())
                .isEqualTo(start.plusMillis(1500).toString());
        assertThat(chatResponse.get("latency_ms").asDouble()).isEqualTo(1500.0);
        assertThat(chatResponse.get("completion_tokens").asLong()).isEqualTo(40);
        assertThat(chatResponse.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(chatResponse.get("time_to_first_token_ms").asDouble()).isEqualTo(250.0);
        assertThat(chatResponse.get("cached_prompt_tokens").asLong()).isEqualTo(100);
        assertThat(chatResponse.get("reasoning_tokens").asLong()).isEqualTo(12);
        assertThat(chatResponse.path("error").isMissingNode()
                        || chatResponse.get("error").isNull())
                .isTrue();

        String legacyId = id(legacy);
        assertThat(requests.get(legacyId).get("route").asText()).isEqualTo("triage");
        assertThat(requests.get(legacyId).get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(requests.get(legacyId).get("prompt_tokens").asLong()).isEqualTo(10);
        assertThat(responses.get(legacyId).get("completion_tokens").asLong()).isEqualTo(5);
        assertThat(responses.get(legacyId).get("latency_ms").asDouble()).isEqualTo(200.0);
        assertThat(responses.get(legacyId).get("error").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(responses.get(legacyId).get("cache_write_tokens").asLong()).isEqualTo(8);

        assertThat(requests.values().stream()
                        .filter(r -> r.get("tenant_id").asText().equals(tenant)))
                .as("only the two inference spans")
                .hasSize(2);
    }

    @Test
    void otlpJsonWithHexIdsGzippedIsReadAndNonGenAiSpansAreAPartialSuccess() throws Exception {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String tenant = "otlp-json-" + UUID.randomUUID();
        long start = Instant.now().minusSeconds(20).toEpochMilli() * 1_000_000L;
        // As @opentelemetry/exporter-trace-otlp-http sends it: lowerCamelCase, hex ids, 64-bit integers as strings.
        String body = """
                {"resourceSpans": [{"resource": {"attributes": [
                    {"key": "service.name", "value": {"stringValue": "web-app"}},
                    {"key": "tenant.id", "value": {"stringValue": "%s"}}]},
                  "scopeSpans": [{"scope": {"name": "openllmetry"}, "spans": [
                    {"traceId": "%s", "spanId": "00f067aa0ba902b7", "name": "anthropic.chat", "kind": 3,
                     "startTimeUnixNano": "%d", "endTimeUnixNano": "%d",
                     "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                    {"key": "gen_ai.request.model", "value": {"stringValue": "claude-3-5-sonnet"}},
                                    {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "300"}},
                                    {"key": "gen_ai.usage.output_tokens", "value": {"intValue": 70}}],
                     "status": {}, "someFutureField": true},
                    {"traceId": "%s", "spanId": "00f067aa0ba902b8", "name": "db.query", "kind": 3,
                     "startTimeUnixNano": "%d", "endTimeUnixNano": "%d"}]}]}]}
                """.formatted(tenant, traceId, start, start + 2_000_000_000L, traceId, start, start + 1_000_000L);
        given().contentType("application/json")
                .header("Content-Encoding", "gzip")
                .body(gzip(body))
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .contentType(containsString("application/json"))
                .body("partialSuccess.rejectedSpans", equalTo("1"))
                .body("partialSuccess.errorMessage", containsString("not GenAI inference spans"));

        String id = traceId + "-00f067aa0ba902b7";
        JsonNode request = events(Topics.REQUESTS).get(id);
        assertThat(request.get("tenant_id").asText()).isEqualTo(tenant);
        assertThat(request.get("route").asText()).isEqualTo("web-app");
        assertThat(request.get("prompt_tokens").asLong()).isEqualTo(300);
        JsonNode response = events(Topics.RESPONSES).get(id);
        assertThat(response.get("latency_ms").asDouble()).isEqualTo(2000.0);
        assertThat(response.get("completion_tokens").asLong()).isEqualTo(70);
    }

    @Test
    void anUndecodableBodyIs400InTheEncodingOfTheRequest() {
        given().contentType("application/x-protobuf")
                .body(new byte[] {(byte) 0xff, 0x01, 0x02})
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(400)
                .contentType(containsString("application/x-protobuf"));
        given().contentType("application/json")
                .body("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": " + "[{\"traceId\": \"not-hex\"}]}]}]}")
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(400)
                .body("code", equalTo(3))
                .body("message", containsString("traceId"));
        given().contentType("application/json")
                .header("Content-Encoding", "gzip")
                .body("not gzip")
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(400)
                .body("message", containsString("gzip"));
    }

    @Test
    void aGenAiSpanTheRulesRefuseIsRejectedAndTheOthersAreWritten() throws Exception {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        long start = Instant.now().minusSeconds(10).toEpochMilli() * 1_000_000L;
        String span = """
                {"traceId": "%s", "spanId": "%s", "name": "chat", "startTimeUnixNano": "%d", "endTimeUnixNano": "%d",
                 "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}%s]}""";
        String body = "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": ["
                + span.formatted(traceId, "1111111111111111", start, start + 1_000_000L, "") + ","
                + span.formatted(
                        traceId,
                        "2222222222222222",
                        start,
                        start + 1_000_000L,
                        ", {\"key\": \"gen_ai.request.model\", \"value\": {\"stringValue\": \"gpt-4o\"}}")
                + "]}]}]}";
        given().contentType("application/json")
                .body(body)
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .body("partialSuccess.rejectedSpans", equalTo("1"))
                .body("partialSuccess.errorMessage", containsString(traceId + "-1111111111111111: model"));
        assertThat(events(Topics.REQUESTS))
                .containsKey(traceId + "-2222222222222222")
                .doesNotContainKey(traceId + "-1111111111111111");
    }

    /**
     * Spans without valid ids, or with token counts the JSON API refuses, are listed in
     * partial_success by name; the export's good spans are written. Before, such a span was written
     * as request_id "-" (or all zeros) and every later one was dropped by the job as its duplicate,
     * and a fractional or 19-digit count was written as no count.
     */
    @Test
    void spansWithInvalidIdsOrTokenCountsAreRejectedByNameAndTheGoodOnesAreWritten() throws Exception {
        String trace = UUID.randomUUID().toString().replace("-", "");
        String zeros = "0".repeat(32);
        String tenant = "otlp-invalid-" + UUID.randomUUID();
        long start = Instant.now().minusSeconds(10).toEpochMilli() * 1_000_000L;
        String span = """
                {%s "name": "chat", "startTimeUnixNano": "%d", "endTimeUnixNano": "%d",
                 "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                {"key": "gen_ai.request.model", "value": {"stringValue": "%s"}}]}""";
        String export = "{\"resourceSpans\": [{\"resource\": {\"attributes\": [{\"key\": \"tenant.id\", "
                + "\"value\": {\"stringValue\": \"" + tenant + "\"}}]}, \"scopeSpans\": [{\"spans\": [%s]}]}]}";

        // OTLP/JSON: one good span, one without a trace id, one with a trace id of zeros, one with a span id of zeros.
        given().contentType("application/json")
                .body(export.formatted(String.join(
                        ",",
                        span.formatted(
                                "\"traceId\": \"" + trace + "\", \"spanId\": \"1111111111111111\",",
                                start,
                                start + 1_000_000L,
                                "gpt-4o"),
                        span.formatted("\"spanId\": \"2222222222222222\",", start, start + 1_000_000L, "gpt-4o"),
                        span.formatted(
                                "\"traceId\": \"" + zeros + "\", \"spanId\": \"3333333333333333\",",
                                start,
                                start + 1_000_000L,
                                "gpt-4o"),
                        span.formatted(
                                "\"traceId\": \"" + trace + "\", \"spanId\": \"0000000000000000\",",
                                start,
                                start + 1_000_000L,
                                "gpt-4o"))))
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .body("partialSuccess.rejectedSpans", equalTo("3"))
                .body(
                        "partialSuccess.errorMessage",
                        equalTo(
                                "3 GenAI spans were invalid ("
                                        + "span none-2222222222222222 \"chat\": trace_id is required (16 bytes, not all zeros); "
                                        + "span " + zeros
                                        + "-3333333333333333 \"chat\": trace_id must not be all zeros (an invalid id in OTLP); "
                                        + "span " + trace
                                        + "-0000000000000000 \"chat\": span_id must not be all zeros (an invalid id in OTLP))"));

        // Protobuf: one good span (12.0 is 12, as in the JSON API), and token counts the JSON API refuses.
        ExportTraceServiceRequest protobuf = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                                .addAttributes(attribute(
                                        "tenant.id", AnyValue.newBuilder().setStringValue(tenant))))
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .addSpans(chatSpan(
                                        trace,
                                        "bbbbbbbbbbbbbbbb",
                                        start,
                                        attribute(
                                                "gen_ai.usage.input_tokens",
                                                AnyValue.newBuilder().setIntValue(12)),
                                        attribute(
                                                "gen_ai.usage.output_tokens",
                                                AnyValue.newBuilder().setDoubleValue(12.0))))
                                .addSpans(chatSpan(
                                        trace,
                                        "cccccccccccccccc",
                                        start,
                                        attribute(
                                                "gen_ai.usage.input_tokens",
                                                AnyValue.newBuilder().setDoubleValue(12.5))))
                                .addSpans(chatSpan(
                                        trace,
                                        "dddddddddddddddd",
                                        start,
                                        attribute(
                                                "gen_ai.usage.output_tokens",
                                                AnyValue.newBuilder().setStringValue("12.5"))))
                                .addSpans(chatSpan(
                                        trace,
                                        "eeeeeeeeeeeeeeee",
                                        start,
                                        attribute(
                                                "gen_ai.usage.input_tokens",
                                                AnyValue.newBuilder().setStringValue("1234567890123456789"))))))
                .build();
        byte[] answer = given().contentType("application/x-protobuf")
                .body(protobuf.toByteArray())
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .contentType(containsString("application/x-protobuf"))
                .extract()
                .asByteArray();
        ExportTraceServiceResponse partial = ExportTraceServiceResponse.parseFrom(answer);
        assertThat(partial.getPartialSuccess().getRejectedSpans()).isEqualTo(3);
        assertThat(partial.getPartialSuccess().getErrorMessage())
                .isEqualTo(
                        "3 GenAI spans were invalid ("
                                + "span " + trace
                                + "-cccccccccccccccc: prompt_tokens (attribute gen_ai.usage.input_tokens) must be an integer >= 0; "
                                + "span " + trace
                                + "-dddddddddddddddd: completion_tokens (attribute gen_ai.usage.output_tokens) must be an integer >= 0; "
                                + "span " + trace
                                + "-eeeeeeeeeeeeeeee: prompt_tokens (attribute gen_ai.usage.input_tokens) must be at most 100000000)");

        // The same all-zero trace id again, another call: refused again, not a 200 the job would drop as a duplicate.
        given().contentType("application/json")
                .body(export.formatted(span.formatted(
                        "\"traceId\": \"" + zeros + "\", \"spanId\": \"3333333333333333\",",
                        start + 5_000_000L,
                        start + 9_000_000L,
                        "gpt-4o-mini")))
                .when()
                .post("/v1/traces")
                .then()
                .statusCode(200)
                .body("partialSuccess.rejectedSpans", equalTo("1"))
                .body(
                        "partialSuccess.errorMessage",
                        containsString(zeros + "-3333333333333333 \"chat\": trace_id must not be all zeros"));

        List<TopicReader.Entry> requests = TopicReader.readAll(Topics.REQUESTS);
        assertThat(requests.stream().filter(e -> e.value().contains(tenant)).map(TopicReader.Entry::key))
                .containsExactlyInAnyOrder(trace + "-1111111111111111", trace + "-bbbbbbbbbbbbbbbb");
        Map<String, JsonNode> responses = events(Topics.RESPONSES);
        assertThat(events(Topics.REQUESTS)
                        .get(trace + "-bbbbbbbbbbbbbbbb")
                        .get("prompt_tokens")
                        .asLong())
                .isEqualTo(12);
        assertThat(responses
                        .get(trace + "-bbbbbbbbbbbbbbbb")
                        .get("completion_tokens")
                        .isIntegralNumber())
                .isTrue();
        assertThat(responses
                        .get(trace + "-bbbbbbbbbbbbbbbb")
                        .get("completion_tokens")
                        .asLong())
                .isEqualTo(12);
        assertThat(responses)
                .containsKey(trace + "-1111111111111111")
                .doesNotContainKeys(
                        "-2222222222222222",
                        zeros + "-3333333333333333",
                        trace + "-0000000000000000",
                        trace + "-cccccccccccccccc",
                        trace + "-dddddddddddddddd",
                        trace + "-eeeeeeeeeeeeeeee");
    }

    private static io.opentelemetry.proto.trace.v1.Span chatSpan(
            String traceHex, String spanHex, long start, KeyValue... tokens) {
        return io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceHex)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanHex)))
                .setName("chat")
                .setStartTimeUnixNano(start)
                .setEndTimeUnixNano(start + 2_000_000L)
                .addAttributes(
                        attribute("gen_ai.operation.name", AnyValue.newBuilder().setStringValue("chat")))
                .addAttributes(
                        attribute("gen_ai.request.model", AnyValue.newBuilder().setStringValue("gpt-4o")))
                .addAllAttributes(List.of(tokens))
                .build();
    }

    private static KeyValue attribute(String key, AnyValue.Builder value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    @Test
    void whileKafkaIsDownTheAnswerIs503WithRetryAfterAndTheSdksRetryCountsEachSpanOnce() throws Exception {
        String traceId = UUID.randomUUID().toString().replace("-", "");
        long start = Instant.now().minusSeconds(10).toEpochMilli() * 1_000_000L;
        String body = ("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"traceId\": \"%s\", "
                        + "\"spanId\": \"3333333333333333\", \"startTimeUnixNano\": \"%d\", \"endTimeUnixNano\": \"%d\", "
                        + "\"attributes\": [{\"key\": \"gen_ai.operation.name\", \"value\": {\"stringValue\": \"chat\"}}, "
                        + "{\"key\": \"gen_ai.request.model\", \"value\": {\"stringValue\": \"gpt-4o\"}}]}]}]}]}")
                .formatted(traceId, start, start + 5_000_000L);
        String tenant = "otlp-outage-" + UUID.randomUUID();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("tenant.id"), tenant)))
                .addSpanProcessor(SimpleSpanProcessor.create(OtlpHttpSpanExporter.builder()
                        // The default policy (5 attempts, backoff 1 s growing 1.5x, jittered) can run out before
                        // a broker restarted on a busy 2-core machine answers (CI saw it once); an app expecting
                        // outages waits longer between its attempts (the SDK allows at most 5).
                        .setEndpoint(traces.toString())
                        // The export's timeout (10 s by default) bounds all its attempts together: it must
                        // outlast the retry policy below, or the SDK gives up mid-backoff (CI saw that too).
                        .setTimeout(java.time.Duration.ofSeconds(60))
                        .setRetryPolicy(RetryPolicy.builder()
                                .setMaxAttempts(5)
                                .setInitialBackoff(java.time.Duration.ofSeconds(3))
                                .setBackoffMultiplier(2)
                                .setMaxBackoff(java.time.Duration.ofSeconds(8))
                                .build())
                        .build()))
                .build();
        KafkaTestResource.broker().stop();
        try {
            given().contentType("application/json")
                    .body(body)
                    .when()
                    .post("/v1/traces")
                    .then()
                    .statusCode(503)
                    .header("Retry-After", equalTo("1"))
                    .body("code", equalTo(14));
            // The SDK exports while the broker is still down, and retries (429/503 are retryable) until it is back.
            Thread restart = new Thread(() -> {
                try {
                    Thread.sleep(4000);
                    KafkaTestResource.broker().start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            restart.start();
            Instant at = Instant.now().minusSeconds(5);
            Span chat = provider.get("outage")
                    .spanBuilder("chat")
                    .setStartTimestamp(at)
                    .setAttribute("gen_ai.operation.name", "chat")
                    .setAttribute("gen_ai.request.model", "gpt-4o")
                    .startSpan();
            chat.end(at.plusMillis(700));
            CompletableResultCode flushed = provider.forceFlush().join(90, TimeUnit.SECONDS);
            restart.join();
            assertThat(flushed.isSuccess())
                    .as("the SDK's retries got a 200 once Kafka was back")
                    .isTrue();
            String id = id(chat);
            assertThat(TopicReader.readAll(Topics.REQUESTS).stream()
                            .filter(e -> e.key().equals(id)))
                    .hasSize(1);
            assertThat(TopicReader.readAll(Topics.RESPONSES).stream()
                            .filter(e -> e.key().equals(id)))
                    .hasSize(1);
            assertThat(events(Topics.REQUESTS)).doesNotContainKey(traceId + "-3333333333333333");
        } finally {
            provider.shutdown().join(10, TimeUnit.SECONDS);
            if (!KafkaTestResource.broker().isRunning()) {
                KafkaTestResource.broker().start();
            }
        }
    }

    private static String id(Span span) {
        return span.getSpanContext().getTraceId() + "-" + span.getSpanContext().getSpanId();
    }

    private static Map<String, JsonNode> events(String topic) {
        return TopicReader.readAll(topic).stream()
                .collect(Collectors.toMap(
                        TopicReader.Entry::key,
                        e -> {
                            try {
                                return JSON.readTree(e.value());
                            } catch (java.io.IOException ex) {
                                throw new java.io.UncheckedIOException(ex);
                            }
                        },
                        (a, b) -> b));
    }

    private static byte[] gzip(String text) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
