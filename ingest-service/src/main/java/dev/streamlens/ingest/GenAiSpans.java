package dev.streamlens.ingest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the GenAI inference spans of an OTLP export into StreamLens request and response events
 * (the mapping is the table in docs/EVENTS.md#opentelemetry-genai-spans-post-v1traces). Other spans
 * are left out and counted. The events are then checked by the same rules as the JSON API's.
 */
final class GenAiSpans {

    /** One inference span: its request event (at the span's start) and response event (at its end). */
    record SpanCall(ObjectNode request, ObjectNode response) {
    }

    /** The calls found, and how many spans were left out because they are not GenAI inference spans. */
    record Mapped(List<SpanCall> calls, int notInference) {
    }

    /** Where the tenant and route come from (streamlens.ingest.otlp-* settings). */
    record Rules(String tenantAttribute, String defaultTenant, String routeAttribute) {
    }

    /** Operations that are one call to a model; embeddings, tools and agents are not counted. */
    static final Set<String> INFERENCE = Set.of("chat", "text_completion", "generate_content", "completion");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GenAiSpans() {
    }

    /**
     * @param caller the API key's tenant when keys are on: it is every span's tenant (a span that
     *               names another tenant in the tenant attribute is still sent on, and refused
     *               by the intake as another tenant's)
     */
    static Mapped of(ExportTraceServiceRequest export, Rules rules, Optional<String> caller) {
        List<SpanCall> calls = new ArrayList<>();
        int notInference = 0;
        for (ResourceSpans resourceSpans : export.getResourceSpansList()) {
            Map<String, AnyValue> resource = attributes(resourceSpans.getResource());
            for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
                for (Span span : scope.getSpansList()) {
                    Map<String, AnyValue> attributes = attributes(span.getAttributesList());
                    if (!isInference(attributes)) {
                        notInference++;
                        continue;
                    }
                    calls.add(new SpanCall(request(span, attributes, resource, rules, caller), response(span, attributes)));
                }
            }
        }
        return new Mapped(calls, notInference);
    }

    /** A GenAI span names its operation (or, from older emitters, only its system or provider). */
    static boolean isInference(Map<String, AnyValue> attributes) {
        Optional<String> operation = text(attributes, "gen_ai.operation.name");
        if (operation.isPresent()) {
            return INFERENCE.contains(operation.get());
        }
        return attributes.containsKey("gen_ai.system") || attributes.containsKey("gen_ai.provider.name");
    }

    private static ObjectNode request(Span span, Map<String, AnyValue> attributes, Map<String, AnyValue> resource,
                                      Rules rules, Optional<String> caller) {
        ObjectNode request = NODES.objectNode();
        request.put("request_id", requestId(span));
        Optional<String> named = text(attributes, rules.tenantAttribute()).or(() -> text(resource, rules.tenantAttribute()));
        request.put("tenant_id", caller.isPresent() && named.isEmpty() ? caller.get() : named.orElse(rules.defaultTenant()));
        request.put("route", text(attributes, rules.routeAttribute()).or(() -> text(resource, rules.routeAttribute()))
                .or(() -> text(resource, "service.name")).orElse("unknown"));
        text(attributes, "gen_ai.response.model").or(() -> text(attributes, "gen_ai.request.model"))
                .ifPresent(model -> request.put("model", model)); // absent: refused as a missing model
        request.put("timestamp", timestamp(span.getStartTimeUnixNano()));
        number(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
                .ifPresent(tokens -> request.put("prompt_tokens", tokens));
        ObjectNode metadata = NODES.objectNode();
        metadata.put("source", "otlp");
        text(attributes, "gen_ai.operation.name").ifPresent(op -> metadata.put("operation", op));
        text(attributes, "gen_ai.provider.name").or(() -> text(attributes, "gen_ai.system"))
                .ifPresent(provider -> metadata.put("provider", provider));
        request.set("metadata", metadata);
        return request;
    }

    private static ObjectNode response(Span span, Map<String, AnyValue> attributes) {
        ObjectNode response = NODES.objectNode();
        response.put("request_id", requestId(span));
        response.put("timestamp", timestamp(span.getEndTimeUnixNano()));
        // Unsigned nanoseconds; an end before the start gives a negative latency, refused by the rules.
        response.put("latency_ms", (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1e6);
        number(attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
                .ifPresent(tokens -> response.put("completion_tokens", tokens));
        // Prompt-cache and reasoning tokens: parts of the input and output tokens (GenAI conventions).
        number(attributes, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")
                .ifPresent(tokens -> response.put("cached_prompt_tokens", tokens));
        number(attributes, "gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.cache_creation.input_tokens",
                "gen_ai.usage.cache_creation_input_tokens")
                .ifPresent(tokens -> response.put("cache_write_tokens", tokens));
        number(attributes, "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens")
                .ifPresent(tokens -> response.put("reasoning_tokens", tokens));
        firstFinishReason(attributes).ifPresent(reason -> response.put("finish_reason", reason));
        seconds(attributes, "gen_ai.response.time_to_first_chunk", "gen_ai.server.time_to_first_token")
                .ifPresent(ttft -> response.put("time_to_first_token_ms", ttft * 1000));
        error(span, attributes).ifPresent(error -> response.put("error", error));
        return response;
    }

    /** Trace id and span id in hex: unique per span, the same when an exporter sends a span again. */
    static String requestId(Span span) {
        HexFormat hex = HexFormat.of();
        return hex.formatHex(span.getTraceId().toByteArray()) + "-" + hex.formatHex(span.getSpanId().toByteArray());
    }

    private static String timestamp(long unixNanos) {
        return Instant.ofEpochSecond(0, unixNanos).toString();
    }

    /** Status ERROR or an {@code error.type}: the error's type, else the status message. */
    private static Optional<String> error(Span span, Map<String, AnyValue> attributes) {
        Optional<String> type = text(attributes, "error.type");
        if (span.getStatus().getCode() != Status.StatusCode.STATUS_CODE_ERROR && type.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(type.orElse(span.getStatus().getMessage().isBlank() ? "error" : span.getStatus().getMessage()));
    }

    private static Optional<String> firstFinishReason(Map<String, AnyValue> attributes) {
        AnyValue reasons = attributes.get("gen_ai.response.finish_reasons");
        if (reasons == null) {
            return Optional.empty();
        }
        if (reasons.hasArrayValue() && reasons.getArrayValue().getValuesCount() > 0) {
            return Optional.of(reasons.getArrayValue().getValues(0).getStringValue()).filter(s -> !s.isBlank());
        }
        return reasons.hasStringValue() ? Optional.of(reasons.getStringValue()).filter(s -> !s.isBlank()) : Optional.empty();
    }

    private static Map<String, AnyValue> attributes(Resource resource) {
        return attributes(resource.getAttributesList());
    }

    private static Map<String, AnyValue> attributes(List<KeyValue> list) {
        Map<String, AnyValue> map = new HashMap<>();
        for (KeyValue kv : list) {
            map.putIfAbsent(kv.getKey(), kv.getValue());
        }
        return map;
    }

    private static Optional<String> text(Map<String, AnyValue> attributes, String key) {
        AnyValue value = attributes.get(key);
        return value != null && value.hasStringValue() && !value.getStringValue().isBlank()
                ? Optional.of(value.getStringValue()) : Optional.empty();
    }

    /** A token count under the current name or the older one; integers, whole doubles or digit strings. */
    private static Optional<Long> number(Map<String, AnyValue> attributes, String... keys) {
        for (String key : keys) {
            AnyValue value = attributes.get(key);
            if (value == null) {
                continue;
            }
            if (value.hasIntValue()) {
                return Optional.of(value.getIntValue());
            }
            if (value.hasDoubleValue() && value.getDoubleValue() == Math.rint(value.getDoubleValue())) {
                return Optional.of((long) value.getDoubleValue());
            }
            if (value.hasStringValue() && value.getStringValue().matches("\\d{1,18}")) {
                return Optional.of(Long.parseLong(value.getStringValue()));
            }
        }
        return Optional.empty();
    }

    private static Optional<Double> seconds(Map<String, AnyValue> attributes, String... keys) {
        for (String key : keys) {
            AnyValue value = attributes.get(key);
            if (value != null && value.hasDoubleValue()) {
                return Optional.of(value.getDoubleValue());
            }
            if (value != null && value.hasIntValue()) {
                return Optional.of((double) value.getIntValue());
            }
        }
        return Optional.empty();
    }
}
