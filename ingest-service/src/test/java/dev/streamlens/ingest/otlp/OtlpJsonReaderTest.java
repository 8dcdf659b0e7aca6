package dev.streamlens.ingest.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.streamlens.model.EventParser;
import dev.streamlens.model.FieldError;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * OTLP/JSON read in one pass must give the same spans as the protobuf encoding of the same export.
 * The oracle is the OpenTelemetry Java SDK's own marshaller, which writes both encodings.
 */
class OtlpJsonReaderTest {

    @Test
    void theSdksJsonEncodingReadsAsItsProtobufEncoding() throws IOException {
        List<SpanData> spans = recordedSpans();
        TraceRequestMarshaler marshaler = TraceRequestMarshaler.create(spans);
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        marshaler.writeJsonTo(json);
        ByteArrayOutputStream protobuf = new ByteArrayOutputStream();
        marshaler.writeBinaryTo(protobuf);

        ExportTraceServiceRequest fromJson = OtlpJsonReader.read(json.toByteArray());
        ExportTraceServiceRequest fromProtobuf = ExportTraceServiceRequest.parseFrom(protobuf.toByteArray());

        assertThat(fromJson.getResourceSpans(0).getScopeSpans(0).getSpansCount())
                .isEqualTo(spans.size());
        assertThat(fromJson).isEqualTo(keptFields(fromProtobuf));
    }

    @Test
    void integersAsNumbersOrStringsEnumsAsNamesProtoFieldNamesNullsAndUnknownFields() throws IOException {
        String body = """
                {"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},
                  "schemaUrl":"https://opentelemetry.io/schemas/1.30.0","futureField":{"x":[1,2]},
                  "scopeSpans":[{"scope":{"name":"genai"},"spans":[
                    {"traceId":"0102030405060708090a0b0c0d0e0f10","span_id":"1112131415161718","parentSpanId":null,
                     "name":"chat gpt-4o","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":1700000000000000000,
                     "end_time_unix_nano":"1700000001500000000","events":[{"name":"x"}],
                     "attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":12}},
                                   {"key":"gen_ai.usage.output_tokens","value":{"int_value":"34"}},
                                   {"key":"gen_ai.response.time_to_first_chunk","value":{"doubleValue":0.25}},
                                   {"key":"gen_ai.response.finish_reasons","value":{"arrayValue":{"values":[{"stringValue":"stop"}]}}},
                                   {"key":"flag","value":{"boolValue":true}},
                                   {"key":"nested","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}}],
                     "status":{"code":"STATUS_CODE_ERROR","message":"boom"}},
                    {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"2122232425262728","kind":3,
                     "status":{"code":2}}]}]}]}
                """;
        ExportTraceServiceRequest export = OtlpJsonReader.read(body.getBytes(StandardCharsets.UTF_8));

        ResourceSpans resourceSpans = export.getResourceSpans(0);
        assertThat(resourceSpans.getResource().getAttributes(0).getValue().getStringValue())
                .isEqualTo("web");
        var first = resourceSpans.getScopeSpans(0).getSpans(0);
        assertThat(first.getSpanId().toByteArray()).containsExactly(0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18);
        assertThat(first.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT);
        assertThat(first.getStartTimeUnixNano()).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(first.getEndTimeUnixNano()).isEqualTo(1_700_000_001_500_000_000L);
        assertThat(first.getAttributes(0).getValue().getIntValue()).isEqualTo(12);
        assertThat(first.getAttributes(1).getValue().getIntValue()).isEqualTo(34);
        assertThat(first.getAttributes(2).getValue().getDoubleValue()).isEqualTo(0.25);
        assertThat(first.getAttributes(3)
                        .getValue()
                        .getArrayValue()
                        .getValues(0)
                        .getStringValue())
                .isEqualTo("stop");
        assertThat(first.getAttributes(4).getValue().getBoolValue()).isTrue();
        assertThat(first.getAttributes(5)
                        .getValue()
                        .getKvlistValue()
                        .getValues(0)
                        .getKey())
                .isEqualTo("k");
        assertThat(first.getStatus().getCode())
                .isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(first.getStatus().getMessage()).isEqualTo("boom");
        assertThat(first.getEventsCount())
                .as("not kept: the mapping does not read events")
                .isZero();
        var second = resourceSpans.getScopeSpans(0).getSpans(1);
        assertThat(second.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT);
        assertThat(second.getStatus().getCode())
                .isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    }

    @Test
    void timesBeyondSignedLongStayUnsignedAsInProtobuf() throws IOException {
        String body = """
                {"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"18446744073709551615"}]}]}]}""";
        long start = OtlpJsonReader.read(body.getBytes(StandardCharsets.UTF_8))
                .getResourceSpans(0)
                .getScopeSpans(0)
                .getSpans(0)
                .getStartTimeUnixNano();
        assertThat(Long.toUnsignedString(start)).isEqualTo("18446744073709551615");
    }

    @Test
    void bodiesThatAreNotATraceExportAreRefusedNamingTheField() {
        assertRefused("[1,2]", "the body must be a JSON object");
        assertRefused("{\"resourceSpans\":{}}", "resourceSpans has the wrong type: an object");
        assertRefused("{\"resourceSpans\":[1]}", "resourceSpans must hold objects, not a number");
        assertRefused(spanWith("\"traceId\":\"xyz\""), "traceId must be hex, not 'xyz'");
        assertRefused(spanWith("\"spanId\":42"), "spanId must be a string, not a number");
        assertRefused(
                spanWith("\"startTimeUnixNano\":\"soon\""),
                "startTimeUnixNano must be an unsigned 64-bit integer, not 'soon'");
        assertRefused(
                spanWith("\"endTimeUnixNano\":1.5"),
                "endTimeUnixNano must be an integer or a string of digits, not a number");
        assertRefused(spanWith("\"kind\":\"SIDEWAYS\""), "kind has no value named 'SIDEWAYS'");
        assertRefused(
                spanWith("\"attributes\":[{\"key\":\"a\",\"value\":{\"intValue\":\"1x\"}}]"),
                "intValue must be a 64-bit integer, not '1x'");
        assertRefused(
                spanWith("\"attributes\":[{\"key\":\"a\",\"value\":{\"boolValue\":\"yes\"}}]"),
                "boolValue must be true or false");
        assertRefused("{\"resourceSpans\":[]} {}", "unexpected content after the export object");
    }

    /**
     * Invalid ids and token counts the JSON API refuses, in OTLP/JSON: read as the same protobuf
     * spans (a missing and an empty id alike), and refused alike by the mapping and the JSON API's rule.
     */
    @Test
    void invalidIdsAndTokenCountsReadAsTheirProtobufAndAreRefusedTheSameWay() throws IOException {
        String trace = "5b8efff798038103d269b633813fc60c";
        String span = """
                {"name": "chat", %s "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000",
                 "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}%s]}""";
        String body = "{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": ["
                + String.join(
                        ",",
                        span.formatted("\"spanId\": \"1111111111111111\",", ""),
                        span.formatted("\"traceId\": \"\", \"spanId\": \"2222222222222222\",", ""),
                        span.formatted(
                                "\"traceId\": \"" + "0".repeat(32) + "\", \"spanId\": \"3333333333333333\",", ""),
                        span.formatted("\"traceId\": \"" + trace + "\", \"spanId\": \"0000000000000000\",", ""),
                        span.formatted(
                                "\"traceId\": \"" + trace + "\", \"spanId\": \"5555555555555555\",",
                                tokens("gen_ai.usage.input_tokens", "{\"doubleValue\": 12.5}")),
                        span.formatted(
                                "\"traceId\": \"" + trace + "\", \"spanId\": \"6666666666666666\",",
                                tokens("gen_ai.usage.output_tokens", "{\"stringValue\": \"12.5\"}")),
                        span.formatted(
                                "\"traceId\": \"" + trace + "\", \"spanId\": \"7777777777777777\",",
                                tokens("gen_ai.usage.input_tokens", "{\"stringValue\": \"1234567890123456789\"}")),
                        span.formatted(
                                "\"traceId\": \"" + trace + "\", \"spanId\": \"8888888888888888\",",
                                tokens("gen_ai.usage.input_tokens", "{\"intValue\": \"1234567890123456789\"}")),
                        span.formatted(
                                "\"traceId\": \"" + trace + "\", \"spanId\": \"9999999999999999\",",
                                tokens("gen_ai.usage.input_tokens", "{\"doubleValue\": \"12.0\"}")))
                + "]}]}]}";
        ExportTraceServiceRequest protobuf = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .addSpans(protoSpan("", "1111111111111111", null))
                                .addSpans(protoSpan("", "2222222222222222", null))
                                .addSpans(protoSpan("0".repeat(32), "3333333333333333", null))
                                .addSpans(protoSpan(trace, "0000000000000000", null))
                                .addSpans(protoSpan(
                                        trace,
                                        "5555555555555555",
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.input_tokens")
                                                .setValue(AnyValue.newBuilder().setDoubleValue(12.5))
                                                .build()))
                                .addSpans(protoSpan(
                                        trace,
                                        "6666666666666666",
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.output_tokens")
                                                .setValue(AnyValue.newBuilder().setStringValue("12.5"))
                                                .build()))
                                .addSpans(protoSpan(
                                        trace,
                                        "7777777777777777",
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.input_tokens")
                                                .setValue(AnyValue.newBuilder().setStringValue("1234567890123456789"))
                                                .build()))
                                .addSpans(protoSpan(
                                        trace,
                                        "8888888888888888",
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.input_tokens")
                                                .setValue(AnyValue.newBuilder().setIntValue(1_234_567_890_123_456_789L))
                                                .build()))
                                .addSpans(protoSpan(
                                        trace,
                                        "9999999999999999",
                                        KeyValue.newBuilder()
                                                .setKey("gen_ai.usage.input_tokens")
                                                .setValue(AnyValue.newBuilder().setDoubleValue(12.0))
                                                .build()))))
                .build();

        ExportTraceServiceRequest fromJson = OtlpJsonReader.read(body.getBytes(StandardCharsets.UTF_8));
        assertThat(fromJson).isEqualTo(protobuf);
        assertThat(ExportTraceServiceRequest.parseFrom(protobuf.toByteArray())).isEqualTo(fromJson);

        List<GenAiSpans.SpanCall> calls = GenAiSpans.of(
                        fromJson, new GenAiSpans.Rules("tenant.id", "default", "streamlens.route"), Optional.empty())
                .calls();
        assertThat(calls.subList(0, 4))
                .extracting(GenAiSpans.SpanCall::refusal)
                .containsExactly(
                        new FieldError("trace_id", "is required (16 bytes, not all zeros)"),
                        new FieldError("trace_id", "is required (16 bytes, not all zeros)"),
                        new FieldError("trace_id", "must not be all zeros (an invalid id in OTLP)"),
                        new FieldError("span_id", "must not be all zeros (an invalid id in OTLP)"));
        EventParser jsonApi = new EventParser();
        assertThat(jsonApi.parseRequest(calls.get(4).request()).errors())
                .containsExactly(new FieldError("prompt_tokens", "must be an integer >= 0"));
        assertThat(jsonApi.parseResponse(calls.get(5).response()).errors())
                .containsExactly(new FieldError("completion_tokens", "must be an integer >= 0"));
        assertThat(calls.get(5).attributeOf()).containsEntry("completion_tokens", "gen_ai.usage.output_tokens");
        assertThat(jsonApi.parseRequest(calls.get(6).request()).errors())
                .containsExactly(new FieldError("prompt_tokens", "must be at most 100000000"));
        assertThat(jsonApi.parseRequest(calls.get(7).request()).errors())
                .containsExactly(new FieldError("prompt_tokens", "must be at most 100000000"));
        assertThat(jsonApi.parseRequest(calls.get(8).request()).event().promptTokens())
                .isEqualTo(12L);
    }

    private static String tokens(String key, String value) {
        return ", {\"key\": \"" + key + "\", \"value\": " + value + "}";
    }

    private static io.opentelemetry.proto.trace.v1.Span protoSpan(String traceHex, String spanHex, KeyValue tokens) {
        var span = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setName("chat")
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceHex)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanHex)))
                .setStartTimeUnixNano(1_700_000_000_000_000_000L)
                .setEndTimeUnixNano(1_700_000_001_000_000_000L)
                .addAttributes(KeyValue.newBuilder()
                        .setKey("gen_ai.operation.name")
                        .setValue(AnyValue.newBuilder().setStringValue("chat")))
                .addAttributes(KeyValue.newBuilder()
                        .setKey("gen_ai.request.model")
                        .setValue(AnyValue.newBuilder().setStringValue("gpt-4o")));
        if (tokens != null) {
            span.addAttributes(tokens);
        }
        return span.build();
    }

    @Test
    void brokenJsonIsAnIoProblemNotAFieldProblem() {
        assertThatThrownBy(() -> OtlpJsonReader.read("{\"resourceSpans\":[".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
    }

    private static String spanWith(String field) {
        return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{" + field + "}]}]}]}";
    }

    private static void assertRefused(String body, String message) {
        assertThatThrownBy(() -> OtlpJsonReader.read(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    /** The protobuf message with what the reader skips (scopes, events, links, flags, counts, schema URLs) cleared. */
    private static ExportTraceServiceRequest keptFields(ExportTraceServiceRequest export) {
        ExportTraceServiceRequest.Builder kept = export.toBuilder();
        for (var resourceSpans : kept.getResourceSpansBuilderList()) {
            resourceSpans.clearSchemaUrl().getResourceBuilder().clearDroppedAttributesCount();
            for (var scopeSpans : resourceSpans.getScopeSpansBuilderList()) {
                scopeSpans.clearScope().clearSchemaUrl();
                for (var span : scopeSpans.getSpansBuilderList()) {
                    span.clearEvents()
                            .clearLinks()
                            .clearTraceState()
                            .clearFlags()
                            .clearDroppedAttributesCount()
                            .clearDroppedEventsCount()
                            .clearDroppedLinksCount();
                }
            }
        }
        return kept.build();
    }

    /** GenAI spans as an instrumented app records them: every attribute type, status, kinds, nesting, events. */
    private static List<SpanData> recordedSpans() {
        List<SpanData> recorded = new ArrayList<>();
        SpanExporter collect = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                recorded.addAll(spans);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        "support-bot",
                        AttributeKey.stringKey("tenant.id"),
                        "acme")))
                .addSpanProcessor(SimpleSpanProcessor.create(collect))
                .build();
        Tracer tracer = provider.get("genai-test", "1.0");
        Span parent = tracer.spanBuilder("agent").startSpan();
        for (int i = 0; i < 20; i++) {
            Span chat = tracer.spanBuilder("chat gpt-4o")
                    .setSpanKind(SpanKind.CLIENT)
                    .setParent(io.opentelemetry.context.Context.current().with(parent))
                    .setStartTimestamp(1_700_000_000_000L + i, TimeUnit.MILLISECONDS)
                    .setAttribute("gen_ai.operation.name", "chat")
                    .setAttribute("gen_ai.request.model", "gpt-4o")
                    .setAttribute(AttributeKey.longKey("gen_ai.usage.input_tokens"), 100L + i)
                    .setAttribute(AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens"), (long) i)
                    .setAttribute(AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk"), 0.125 * i)
                    .setAttribute(
                            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop", "length"))
                    .setAttribute(AttributeKey.longArrayKey("ids"), List.of(1L, Long.MAX_VALUE, Long.MIN_VALUE))
                    .setAttribute(AttributeKey.booleanKey("gen_ai.request.stream"), i % 2 == 0)
                    .startSpan();
            chat.addEvent("gen_ai.content.prompt", Attributes.of(AttributeKey.stringKey("text"), "hi \"there\"\n"));
            if (i % 3 == 0) {
                chat.setStatus(StatusCode.ERROR, "rate limited ✗");
                chat.setAttribute("error.type", "429");
            }
            chat.end(1_700_000_001_000L + i * 7L, TimeUnit.MILLISECONDS);
        }
        parent.end();
        provider.close();
        return recorded;
    }
}
