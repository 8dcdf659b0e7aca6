package dev.streamlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which spans are calls to a model, and where tenant and route come from. */
class GenAiSpansTest {

    private static final GenAiSpans.Rules RULES = new GenAiSpans.Rules("tenant.id", "default", "streamlens.route");

    @Test
    void inferenceOperationsCountAndOtherGenAiOperationsDoNot() {
        ExportTraceServiceRequest export = export(Resource.getDefaultInstance(),
                span(1, attr("gen_ai.operation.name", "chat")),
                span(2, attr("gen_ai.operation.name", "text_completion")),
                span(3, attr("gen_ai.operation.name", "generate_content")),
                span(4, attr("gen_ai.system", "openai")), // older emitters: no operation name
                span(5, attr("gen_ai.operation.name", "embeddings")),
                span(6, attr("gen_ai.operation.name", "execute_tool")),
                span(7, attr("http.request.method", "GET")));
        GenAiSpans.Mapped mapped = GenAiSpans.of(export, RULES, Optional.empty());
        assertThat(mapped.calls()).extracting(c -> c.request().get("request_id").asText().substring(33))
                .containsExactly(spanHex(1), spanHex(2), spanHex(3), spanHex(4));
        assertThat(mapped.notInference()).isEqualTo(3);
    }

    @Test
    void tenantAndRouteComeFromTheSpanThenTheResourceThenTheDefaults() {
        Resource resource = Resource.newBuilder().addAttributes(attr("service.name", "web"))
                .addAttributes(attr("tenant.id", "acme")).build();
        ExportTraceServiceRequest export = export(resource,
                span(1, attr("gen_ai.operation.name", "chat"), attr("streamlens.route", "triage")),
                span(2, attr("gen_ai.operation.name", "chat"), attr("tenant.id", "globex")));
        GenAiSpans.Mapped mapped = GenAiSpans.of(export, RULES, Optional.empty());
        assertThat(mapped.calls().get(0).request().get("route").asText()).isEqualTo("triage");
        assertThat(mapped.calls().get(0).request().get("tenant_id").asText()).isEqualTo("acme");
        assertThat(mapped.calls().get(1).request().get("route").asText()).isEqualTo("web");
        assertThat(mapped.calls().get(1).request().get("tenant_id").asText()).isEqualTo("globex");

        GenAiSpans.Mapped bare = GenAiSpans.of(export(Resource.getDefaultInstance(),
                span(1, attr("gen_ai.operation.name", "chat"))), RULES, Optional.empty());
        assertThat(bare.calls().get(0).request().get("tenant_id").asText()).isEqualTo("default");
        assertThat(bare.calls().get(0).request().get("route").asText()).isEqualTo("unknown");
        GenAiSpans.Mapped keyed = GenAiSpans.of(export(Resource.getDefaultInstance(),
                span(1, attr("gen_ai.operation.name", "chat"))), RULES, Optional.of("initech"));
        assertThat(keyed.calls().get(0).request().get("tenant_id").asText()).isEqualTo("initech");
    }

    private static ExportTraceServiceRequest export(Resource resource, Span... spans) {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource)
                .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(java.util.List.of(spans)))).build();
    }

    private static Span span(int n, KeyValue... attributes) {
        return Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16]))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanHex(n))))
                .setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(2_000_000_000L)
                .addAllAttributes(java.util.List.of(attributes)).build();
    }

    private static String spanHex(int n) {
        return "%016x".formatted(n);
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }
}
