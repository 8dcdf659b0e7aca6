package dev.streamlens.ingest.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.streamlens.model.EventParser;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.LlmRequest;
import dev.streamlens.model.LlmResponse;
import dev.streamlens.model.ParseResult;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which spans are calls to a model, where tenant and route come from, and which spans cannot be events. */
class GenAiSpansTest {

    private static final GenAiSpans.Rules RULES = new GenAiSpans.Rules("tenant.id", "default", "streamlens.route");

    static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    /** The JSON API's validation routine (the same one EventIntake runs). */
    private static final EventParser JSON_API = new EventParser();

    @Test
    void inferenceOperationsCountAndOtherGenAiOperationsDoNot() {
        ExportTraceServiceRequest export = export(
                Resource.getDefaultInstance(),
                span(1, attr("gen_ai.operation.name", "chat")),
                span(2, attr("gen_ai.operation.name", "text_completion")),
                span(3, attr("gen_ai.operation.name", "generate_content")),
                span(4, attr("gen_ai.system", "openai")), // older emitters: no operation name
                span(5, attr("gen_ai.operation.name", "embeddings")),
                span(6, attr("gen_ai.operation.name", "execute_tool")),
                span(7, attr("http.request.method", "GET")));
        GenAiSpans.Mapped mapped = GenAiSpans.of(export, RULES, Optional.empty());
        assertThat(mapped.calls())
                .extracting(c -> c.request().get("request_id").asText().substring(33))
                .containsExactly(spanHex(1), spanHex(2), spanHex(3), spanHex(4));
        assertThat(mapped.notInference()).isEqualTo(3);
    }

    @Test
    void tenantAndRouteComeFromTheSpanThenTheResourceThenTheDefaults() {
        Resource resource = Resource.newBuilder()
                .addAttributes(attr("service.name", "web"))
                .addAttributes(attr("tenant.id", "acme"))
                .build();
        ExportTraceServiceRequest export = export(
                resource,
                span(1, attr("gen_ai.operation.name", "chat"), attr("streamlens.route", "triage")),
                span(2, attr("gen_ai.operation.name", "chat"), attr("tenant.id", "globex")));
        GenAiSpans.Mapped mapped = GenAiSpans.of(export, RULES, Optional.empty());
        assertThat(mapped.calls().get(0).request().get("route").asText()).isEqualTo("triage");
        assertThat(mapped.calls().get(0).request().get("tenant_id").asText()).isEqualTo("acme");
        assertThat(mapped.calls().get(1).request().get("route").asText()).isEqualTo("web");
        assertThat(mapped.calls().get(1).request().get("tenant_id").asText()).isEqualTo("globex");

        GenAiSpans.Mapped bare = GenAiSpans.of(
                export(Resource.getDefaultInstance(), span(1, attr("gen_ai.operation.name", "chat"))),
                RULES,
                Optional.empty());
        assertThat(bare.calls().get(0).request().get("tenant_id").asText()).isEqualTo("default");
        assertThat(bare.calls().get(0).request().get("route").asText()).isEqualTo("unknown");
        GenAiSpans.Mapped keyed = GenAiSpans.of(
                export(Resource.getDefaultInstance(), span(1, attr("gen_ai.operation.name", "chat"))),
                RULES,
                Optional.of("initech"));
        assertThat(keyed.calls().get(0).request().get("tenant_id").asText()).isEqualTo("initech");
    }

    @Test
    void aSpanWithoutValidIdsIsRefusedNamingTheIdInsteadOfBecomingRequestIdDash() {
        Span good = span(1, attr("gen_ai.operation.name", "chat"), attr("gen_ai.request.model", "gpt-4o")).toBuilder()
                .setName("chat gpt-4o")
                .build();
        ExportTraceServiceRequest export = export(
                Resource.getDefaultInstance(),
                withIds(good, "", spanHex(2)),
                withIds(good, "0".repeat(32), spanHex(3)),
                withIds(good, TRACE, ""),
                withIds(good, TRACE, "0".repeat(16)),
                withIds(good, "0102030405060708", spanHex(5)),
                withIds(good, "", "").toBuilder().setName("").build(),
                good);
        List<GenAiSpans.SpanCall> calls =
                GenAiSpans.of(export, RULES, Optional.empty()).calls();

        assertThat(calls)
                .as("still GenAI spans: counted against the export's bound")
                .hasSize(7);
        assertThat(calls.subList(0, 6))
                .allMatch(call -> call.isRefused() && call.request() == null && call.response() == null);
        assertThat(calls.subList(0, 6))
                .extracting(GenAiSpans.SpanCall::span)
                .containsExactly(
                        "none-" + spanHex(2) + " \"chat gpt-4o\"",
                        "0".repeat(32) + "-" + spanHex(3) + " \"chat gpt-4o\"",
                        TRACE + "-none \"chat gpt-4o\"",
                        TRACE + "-" + "0".repeat(16) + " \"chat gpt-4o\"",
                        "0102030405060708-" + spanHex(5) + " \"chat gpt-4o\"",
                        "none-none");
        assertThat(calls.subList(0, 6))
                .extracting(GenAiSpans.SpanCall::refusal)
                .containsExactly(
                        new FieldError("trace_id", "is required (16 bytes, not all zeros)"),
                        new FieldError("trace_id", "must not be all zeros (an invalid id in OTLP)"),
                        new FieldError("span_id", "is required (8 bytes, not all zeros)"),
                        new FieldError("span_id", "must not be all zeros (an invalid id in OTLP)"),
                        new FieldError("trace_id", "must be 16 bytes, not 8"),
                        new FieldError("trace_id", "is required (16 bytes, not all zeros)"));
        assertThat(calls.get(6).isRefused()).isFalse();
        assertThat(calls.get(6).span()).isEqualTo(TRACE + "-" + spanHex(1));
        assertThat(calls.get(6).request().get("request_id").asText()).isEqualTo(TRACE + "-" + spanHex(1));
    }

    /**
     * A token attribute is decided exactly as the same value sent to the JSON API: each case's value
     * is checked by the JSON API's routine both ways, from the span and in a JSON body.
     */
    @Test
    void tokenCountsAreDecidedByTheJsonApisRuleAndTheAttributeIsNamed() {
        record Case(AnyValue value, String asJson, String verdict) {}
        String fraction = "prompt_tokens must be an integer >= 0";
        String tooMany = "prompt_tokens must be at most 100000000";
        List<Case> cases = List.of(
                new Case(intValue(12), "12", "12"),
                new Case(doubleValue(12.0), "12.0", "12"),
                new Case(text("12"), "12", "12"),
                new Case(text("012"), "12", "12"),
                new Case(text("12.0"), "12.0", "12"),
                new Case(text("1.2e1"), "1.2e1", "12"),
                new Case(intValue(100_000_000), "100000000", "100000000"),
                new Case(doubleValue(12.5), "12.5", fraction),
                new Case(text("12.5"), "12.5", fraction),
                new Case(intValue(-1), "-1", fraction),
                new Case(text("-1"), "-1", fraction),
                new Case(doubleValue(-3.0), "-3.0", fraction),
                new Case(text("1234567890123456789"), "1234567890123456789", tooMany),
                new Case(text("98765432109876543210"), "98765432109876543210", tooMany),
                new Case(intValue(1_234_567_890_123_456_789L), "1234567890123456789", tooMany),
                new Case(doubleValue(1e19), "1e19", tooMany),
                new Case(intValue(100_000_001), "100000001", tooMany),
                new Case(text("many"), "\"many\"", fraction),
                new Case(text(""), "\"\"", fraction),
                new Case(text(" 12"), "\" 12\"", fraction),
                new Case(AnyValue.newBuilder().setBoolValue(true).build(), "true", fraction),
                new Case(
                        AnyValue.newBuilder()
                                .setArrayValue(io.opentelemetry.proto.common.v1.ArrayValue.newBuilder()
                                        .addValues(intValue(12)))
                                .build(),
                        "[]",
                        fraction));
        for (Case c : cases) {
            GenAiSpans.SpanCall call = GenAiSpans.of(
                            export(
                                    Resource.getDefaultInstance(),
                                    span(
                                            1,
                                            attr("gen_ai.operation.name", "chat"),
                                            attr("gen_ai.request.model", "gpt-4o"),
                                            KeyValue.newBuilder()
                                                    .setKey("gen_ai.usage.input_tokens")
                                                    .setValue(c.value())
                                                    .build())),
                            RULES,
                            Optional.empty())
                    .calls()
                    .get(0);
            ObjectNode body = call.request().deepCopy();
            body.remove("prompt_tokens");
            String json = body.toString().replaceFirst("^\\{", "{\"prompt_tokens\": " + c.asJson() + ", ");

            assertThat(verdict(JSON_API.parseRequest(call.request())))
                    .as("%s from the span", c.value())
                    .isEqualTo(c.verdict());
            assertThat(verdict(JSON_API.parseRequest(json.getBytes(StandardCharsets.UTF_8))))
                    .as("%s sent to the JSON API", c.asJson())
                    .isEqualTo(c.verdict());
            assertThat(call.attributeOf()).containsEntry("prompt_tokens", "gen_ai.usage.input_tokens");
        }
        // No JSON literal holds these, and neither is a count.
        for (double notANumber : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            GenAiSpans.SpanCall call = GenAiSpans.of(
                            export(
                                    Resource.getDefaultInstance(),
                                    span(
                                            1,
                                            attr("gen_ai.operation.name", "chat"),
                                            attr("gen_ai.request.model", "gpt-4o"),
                                            KeyValue.newBuilder()
                                                    .setKey("gen_ai.usage.input_tokens")
                                                    .setValue(doubleValue(notANumber))
                                                    .build())),
                            RULES,
                            Optional.empty())
                    .calls()
                    .get(0);
            assertThat(verdict(JSON_API.parseRequest(call.request()))).isEqualTo(fraction);
        }
    }

    @Test
    void theFirstTokenAttributePresentWinsEvenWhenItIsRefusedAndResponseCountsNameTheirAttribute() {
        GenAiSpans.SpanCall call = GenAiSpans.of(
                        export(
                                Resource.getDefaultInstance(),
                                span(
                                        1,
                                        attr("gen_ai.operation.name", "chat"),
                                        attr("gen_ai.request.model", "gpt-4o"),
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.input_tokens")
                                                .setValue(doubleValue(12.5))
                                                .build(),
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.prompt_tokens")
                                                .setValue(intValue(12))
                                                .build(),
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.output_tokens")
                                                .build(), // no value: absent, as JSON's null
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.completion_tokens")
                                                .setValue(text("40.0"))
                                                .build(),
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.cache_creation_input_tokens")
                                                .setValue(text("7.5"))
                                                .build(),
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.reasoning_tokens")
                                                .setValue(doubleValue(4.0))
                                                .build())),
                        RULES,
                        Optional.empty())
                .calls()
                .get(0);

        assertThat(verdict(JSON_API.parseRequest(call.request()))).isEqualTo("prompt_tokens must be an integer >= 0");
        ParseResult<LlmResponse> response = JSON_API.parseResponse(call.response());
        assertThat(response.errors()).containsExactly(new FieldError("cache_write_tokens", "must be an integer >= 0"));
        assertThat(call.attributeOf())
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                        "prompt_tokens", "gen_ai.usage.input_tokens",
                        "completion_tokens", "gen_ai.usage.completion_tokens",
                        "cache_write_tokens", "gen_ai.usage.cache_creation_input_tokens",
                        "reasoning_tokens", "gen_ai.usage.reasoning_tokens"));

        GenAiSpans.SpanCall whole = GenAiSpans.of(
                        export(
                                Resource.getDefaultInstance(),
                                span(
                                        2,
                                        attr("gen_ai.operation.name", "chat"),
                                        attr("gen_ai.request.model", "gpt-4o"),
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.completion_tokens")
                                                .setValue(text("40.0"))
                                                .build(),
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.reasoning_tokens")
                                                .setValue(doubleValue(4.0))
                                                .build())),
                        RULES,
                        Optional.empty())
                .calls()
                .get(0);
        LlmResponse read = JSON_API.parseResponse(whole.response()).event();
        assertThat(read.completionTokens()).isEqualTo(40L);
        assertThat(read.reasoningTokens()).isEqualTo(4L);
    }

    /**
     * Custom dimensions: each dialect's metadata reaches the request's metadata, where the job reads
     * the tenant's declared keys; the span's value wins over its resource's, a value that would not
     * fit is left out, and the call still passes the JSON API's rules.
     */
    @Test
    void tagValuesOfEachDialectReachTheRequestsMetadata() {
        Resource resource = Resource.newBuilder()
                .addAttributes(attr("streamlens.tag.environment", "prod"))
                .addAttributes(attr("streamlens.tag.feature", "from-resource"))
                .build();
        Span generic = span(
                1,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("streamlens.tag.feature", "search"),
                KeyValue.newBuilder()
                        .setKey("streamlens.tag.prompt_version")
                        .setValue(intValue(7))
                        .build(),
                attr("streamlens.tag.too_long", "x".repeat(SpanTags.MAX_VALUE_LENGTH + 1)));
        Span langfuse = span(
                2,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("langfuse.trace.metadata.feature", "summarize"),
                attr("langfuse.observation.metadata.team", "growth"));
        Span openInference = span(
                3,
                attr("llm.model_name", "gpt-4o"),
                attr("openinference.span.kind", "LLM"),
                attr("metadata", "{\"feature\":\"translate\",\"nested\":{\"a\":1},\"beta\":true}"));
        Span notJson = span(
                4,
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("metadata", "{not json"));
        GenAiSpans.Mapped mapped =
                GenAiSpans.of(export(resource, generic, langfuse, openInference, notJson), RULES, Optional.empty());
        assertThat(mapped.calls()).hasSize(4);
        JsonNode first = mapped.calls().get(0).request().get("metadata");
        assertThat(first.get("feature").asText()).isEqualTo("search");
        assertThat(first.get("environment").asText()).isEqualTo("prod");
        assertThat(first.get("prompt_version").asText()).isEqualTo("7");
        assertThat(first.has("too_long")).isFalse();
        assertThat(first.get("source").asText()).isEqualTo("otlp");
        JsonNode second = mapped.calls().get(1).request().get("metadata");
        assertThat(second.get("feature").asText()).isEqualTo("summarize");
        assertThat(second.get("team").asText()).isEqualTo("growth");
        JsonNode third = mapped.calls().get(2).request().get("metadata");
        assertThat(third.get("feature").asText()).isEqualTo("translate");
        assertThat(third.get("beta").asText()).isEqualTo("true");
        assertThat(third.has("nested")).isFalse();
        assertThat(mapped.calls()
                        .get(3)
                        .request()
                        .get("metadata")
                        .get("feature")
                        .asText())
                .isEqualTo("from-resource");
        for (GenAiSpans.SpanCall call : mapped.calls()) {
            assertThat(JSON_API.parseRequest(call.request()).isValid())
                    .as(call.request().toString())
                    .isTrue();
        }
    }

    private static String verdict(ParseResult<LlmRequest> result) {
        if (result.isValid()) {
            return String.valueOf(result.event().promptTokens());
        }
        return result.errors().get(0).field() + " " + result.errors().get(0).reason();
    }

    private static Span withIds(Span span, String traceHex, String spanHex) {
        return span.toBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceHex)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanHex)))
                .build();
    }

    private static AnyValue intValue(long value) {
        return AnyValue.newBuilder().setIntValue(value).build();
    }

    private static AnyValue doubleValue(double value) {
        return AnyValue.newBuilder().setDoubleValue(value).build();
    }

    private static AnyValue text(String value) {
        return AnyValue.newBuilder().setStringValue(value).build();
    }

    private static ExportTraceServiceRequest export(Resource resource, Span... spans) {
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(resource)
                        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(java.util.List.of(spans))))
                .build();
    }

    private static Span span(int n, KeyValue... attributes) {
        return Span.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanHex(n))))
                .setStartTimeUnixNano(1_000_000_000L)
                .setEndTimeUnixNano(2_000_000_000L)
                .addAllAttributes(java.util.List.of(attributes))
                .build();
    }

    private static String spanHex(int n) {
        return "%016x".formatted(n);
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }
}
