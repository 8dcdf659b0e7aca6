package dev.streamlens.ingest;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/** OTLP protobuf exports built by hand, for the calls the SDKs' exporters cannot be made to send. */
final class ProtoSpans {

    private ProtoSpans() {}

    static String newTrace() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    static ExportTraceServiceRequest export(Span... spans) {
        return export(List.of(), spans);
    }

    /** One resource with these attributes, holding the spans. */
    static ExportTraceServiceRequest export(List<KeyValue> resource, Span... spans) {
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                                .addAllAttributes(resource))
                        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))))
                .build();
    }

    /** One process (this service name) whose spans come from two instrumentation scopes. */
    static ExportTraceServiceRequest twoScopes(String service, String scope1, Span span1, String scope2, Span span2) {
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                                .addAttributes(attr("service.name", service)))
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName(scope1))
                                .addSpans(span1))
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName(scope2))
                                .addSpans(span2)))
                .build();
    }

    /** Span {@code n} of a trace, started five seconds ago, 700 ms long. */
    static Span span(String trace, int n, KeyValue... attributes) {
        long start = Instant.now().minusSeconds(5).toEpochMilli() * 1_000_000L;
        return Span.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(trace)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanId(n))))
                .setName("span " + n)
                .setStartTimeUnixNano(start)
                .setEndTimeUnixNano(start + 700_000_000L)
                .addAllAttributes(List.of(attributes))
                .build();
    }

    /** A GenAI chat span naming a model. */
    static Span chat(String trace, int n) {
        return span(trace, n, attr("gen_ai.operation.name", "chat"), attr("gen_ai.request.model", "gpt-4o"));
    }

    static String spanId(int n) {
        return "%016x".formatted(n);
    }

    static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder()
                .setKey(key)
                .setValue(AnyValue.newBuilder().setStringValue(value))
                .build();
    }
}
