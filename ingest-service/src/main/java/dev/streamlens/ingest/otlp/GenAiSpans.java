package dev.streamlens.ingest.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.streamlens.model.FieldError;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns the GenAI inference spans of an OTLP export into StreamLens request and response events
 * (the mapping is the table in docs/EVENTS.md#opentelemetry-genai-spans-post-v1traces). Other spans
 * are left out and counted. The events are then checked by the same rules as the JSON API's: a
 * token count goes into its event as the JSON value the attribute holds, so that the JSON API's
 * rule decides it (a fraction or a count over the limit is refused, not read as no count). A span
 * without a valid trace and span id (OTLP: 16 and 8 bytes, not all zeros) cannot become events:
 * its request_id would not be its own.
 */
public final class GenAiSpans {

    /**
     * One inference span: its request event (at the span's start) and response event (at its end),
     * named in messages by {@code span} (its request_id), with the span attribute each token count
     * was read from ({@code attributeOf}: event field → attribute), to name it when the count is
     * refused, and its {@code layer} (for one call, one count). A span whose ids are invalid has a
     * {@code refusal} instead, and no events and no layer.
     */
    public record SpanCall(
            String span,
            ObjectNode request,
            ObjectNode response,
            Map<String, String> attributeOf,
            FieldError refusal,
            StackedCalls.Layer layer) {

        static SpanCall refused(String span, FieldError refusal) {
            return new SpanCall(span, null, null, Map.of(), refusal, null);
        }

        public boolean isRefused() {
            return refusal != null;
        }
    }

    /**
     * The calls found, each with its layer (for one call, one count: {@link StackedCalls}), and how
     * many spans were left out because they are not GenAI inference spans.
     */
    public record Mapped(List<SpanCall> calls, int notInference) {}

    /** Where the tenant and route come from (streamlens.ingest.otlp-* settings). */
    public record Rules(String tenantAttribute, String defaultTenant, String routeAttribute) {}

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A number as JSON writes it (leading zeros allowed, as before); other strings are not numbers. */
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");

    /** Longer numbers are not read (Jackson's own bound, so the JSON API refuses them too). */
    private static final int MAX_NUMBER_LENGTH = 1000;

    private GenAiSpans() {}

    /**
     * @param caller the API key's tenant when keys are on: it is every span's tenant (a span that
     *               names another tenant in the tenant attribute is still sent on, and refused
     *               by the intake as another tenant's)
     */
    public static Mapped of(ExportTraceServiceRequest export, Rules rules, Optional<String> caller) {
        record Found(
                Span span,
                SpanDialect dialect,
                Map<String, AnyValue> attributes,
                Map<String, AnyValue> resource,
                String resourceDigest,
                boolean framework) {}
        List<Found> found = new ArrayList<>();
        int notInference = 0;
        for (ResourceSpans resourceSpans : export.getResourceSpansList()) {
            Map<String, AnyValue> resource = attributes(resourceSpans.getResource());
            String resourceDigest = digest(resourceSpans.getResource());
            for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
                boolean framework = StackedCalls.isFramework(scope.getScope().getName());
                for (Span span : scope.getSpansList()) {
                    Map<String, AnyValue> attributes = attributes(span.getAttributesList());
                    Optional<SpanDialect> dialect = SpanDialect.ofCall(attributes);
                    if (dialect.isEmpty()) {
                        notInference++;
                        continue;
                    }
                    found.add(new Found(span, dialect.get(), attributes, resource, resourceDigest, framework));
                }
            }
        }
        List<SpanCall> calls = new ArrayList<>();
        for (Found call : found) {
            Optional<FieldError> invalidId = invalidId(call.span());
            if (invalidId.isPresent()) {
                calls.add(SpanCall.refused(describe(call.span()), invalidId.get()));
                continue;
            }
            Map<String, String> attributeOf = new HashMap<>();
            ObjectNode request = request(
                    call.span(), call.dialect(), call.attributes(), call.resource(), rules, caller, attributeOf);
            StackedCalls.Layer layer = new StackedCalls.Layer(
                    request.get("tenant_id").asText() + "/" + call.resourceDigest(),
                    call.framework(),
                    call.span().getStartTimeUnixNano(),
                    call.span().getEndTimeUnixNano());
            calls.add(new SpanCall(
                    requestId(call.span()),
                    request,
                    response(call.span(), call.dialect(), call.attributes(), attributeOf),
                    attributeOf,
                    null,
                    layer));
        }
        return new Mapped(calls, notInference);
    }

    /** The resource a span came from, short: with the span's tenant, it names the process that sent it. */
    private static String digest(Resource resource) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(resource.toByteArray());
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * The trace id must be 16 bytes and the span id 8, neither all zeros (OTLP: such ids are
     * invalid). The request_id is made of them: a missing id made every such span {@code "-"}, and
     * all of them after the first were dropped as duplicates of it.
     */
    static Optional<FieldError> invalidId(Span span) {
        return invalidId("trace_id", span.getTraceId(), 16).or(() -> invalidId("span_id", span.getSpanId(), 8));
    }

    private static Optional<FieldError> invalidId(String field, ByteString id, int bytes) {
        if (id.isEmpty()) {
            return Optional.of(new FieldError(field, "is required (" + bytes + " bytes, not all zeros)"));
        }
        if (id.size() != bytes) {
            return Optional.of(new FieldError(field, "must be " + bytes + " bytes, not " + id.size()));
        }
        for (int i = 0; i < bytes; i++) {
            if (id.byteAt(i) != 0) {
                return Optional.empty();
            }
        }
        return Optional.of(new FieldError(field, "must not be all zeros (an invalid id in OTLP)"));
    }

    /** A span without valid ids, in messages: its ids in hex ({@code none} when missing) and its name. */
    private static String describe(Span span) {
        HexFormat hex = HexFormat.of();
        String trace = span.getTraceId().isEmpty()
                ? "none"
                : hex.formatHex(span.getTraceId().toByteArray());
        String id = span.getSpanId().isEmpty()
                ? "none"
                : hex.formatHex(span.getSpanId().toByteArray());
        String name = span.getName().length() > 100 ? span.getName().substring(0, 100) + "..." : span.getName();
        return trace + "-" + id + (name.isBlank() ? "" : " \"" + name + "\"");
    }

    private static ObjectNode request(
            Span span,
            SpanDialect dialect,
            Map<String, AnyValue> attributes,
            Map<String, AnyValue> resource,
            Rules rules,
            Optional<String> caller,
            Map<String, String> attributeOf) {
        ObjectNode request = NODES.objectNode();
        request.put("request_id", requestId(span));
        Optional<String> named =
                text(attributes, rules.tenantAttribute()).or(() -> text(resource, rules.tenantAttribute()));
        request.put(
                "tenant_id",
                caller.isPresent() && named.isEmpty() ? caller.get() : named.orElse(rules.defaultTenant()));
        request.put(
                "route",
                text(attributes, rules.routeAttribute())
                        .or(() -> text(resource, rules.routeAttribute()))
                        .or(() -> text(resource, "service.name"))
                        .orElse("unknown"));
        firstText(attributes, dialect.model())
                .ifPresent(model -> request.put("model", model)); // absent: refused as a missing model
        // Who served the call narrows the price catalog's match (docs/PRICING.md).
        firstText(attributes, dialect.provider()).ifPresent(provider -> request.put("provider", provider));
        request.put("timestamp", timestamp(span.getStartTimeUnixNano()));
        // Who the call was for and in which conversation: optional, so a value the JSON API would
        // refuse (too long, control characters) is left out rather than costing the call.
        firstText(attributes, END_USER)
                .filter(GenAiSpans::fitsAnIdentifier)
                .ifPresent(user -> request.put("user_id_hash", user));
        firstText(attributes, SESSION)
                .filter(GenAiSpans::fitsAnIdentifier)
                .ifPresent(session -> request.put("session_id", session));
        count(request, "prompt_tokens", attributes, attributeOf, dialect.tokenCount("prompt_tokens"));
        ObjectNode metadata = NODES.objectNode();
        SpanTags.copyInto(metadata, resource, attributes); // the tenant's custom dimensions
        metadata.put("source", "otlp");
        metadata.put("dialect", dialect.label());
        text(attributes, "gen_ai.operation.name")
                .or(() -> text(attributes, "ai.operationId"))
                .ifPresent(op -> metadata.put("operation", op));
        request.set("metadata", metadata);
        return request;
    }

    private static ObjectNode response(
            Span span, SpanDialect dialect, Map<String, AnyValue> attributes, Map<String, String> attributeOf) {
        ObjectNode response = NODES.objectNode();
        response.put("request_id", requestId(span));
        response.put("timestamp", timestamp(span.getEndTimeUnixNano()));
        // Unsigned nanoseconds; an end before the start gives a negative latency, refused by the rules.
        response.put("latency_ms", (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1e6);
        count(response, "completion_tokens", attributes, attributeOf, dialect.tokenCount("completion_tokens"));
        if (!response.has("completion_tokens")) {
            completionFromTotal(dialect, attributes).ifPresent(completion -> {
                response.put("completion_tokens", completion);
                attributeOf.put("completion_tokens", dialect.totalTokens().get(0));
            });
        }
        // Prompt-cache and reasoning tokens: parts of the input and output tokens (GenAI conventions).
        for (String part : List.of("cached_prompt_tokens", "cache_write_tokens", "reasoning_tokens")) {
            count(response, part, attributes, attributeOf, dialect.tokenCount(part));
        }
        finishReason(attributes, dialect.finishReason()).ifPresent(reason -> response.put("finish_reason", reason));
        firstTokenMillis(span, dialect, attributes).ifPresent(ttft -> response.put("time_to_first_token_ms", ttft));
        error(span, attributes).ifPresent(error -> response.put("error", error));
        return response;
    }

    /**
     * A sender that wrote the total and the prompt tokens but not the completion ones: the
     * difference, when both are whole numbers and the total is not below the prompt. Otherwise the
     * total is not read (it is no field of the events).
     */
    private static Optional<Long> completionFromTotal(SpanDialect dialect, Map<String, AnyValue> attributes) {
        Optional<Long> total = firstWhole(attributes, dialect.totalTokens());
        Optional<Long> prompt = firstWhole(attributes, dialect.tokenCount("prompt_tokens"));
        return total.isPresent() && prompt.isPresent() && total.get() >= prompt.get()
                ? Optional.of(total.get() - prompt.get())
                : Optional.empty();
    }

    private static Optional<Long> firstWhole(Map<String, AnyValue> attributes, List<String> keys) {
        for (String key : keys) {
            AnyValue value = attributes.get(key);
            if (value != null && value.getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
                JsonNode json = json(value);
                return json.canConvertToLong() && json.isIntegralNumber() && json.asLong() >= 0
                        ? Optional.of(json.asLong())
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * Time to first token: an attribute in seconds or in milliseconds, else the time of a
     * first-token span event after the span's start.
     */
    private static Optional<Double> firstTokenMillis(Span span, SpanDialect dialect, Map<String, AnyValue> attributes) {
        Optional<Double> fromAttribute = number(attributes, dialect.firstTokenSeconds())
                .map(seconds -> seconds * 1000)
                .or(() -> number(attributes, dialect.firstTokenMillis()));
        if (fromAttribute.isPresent()) {
            return fromAttribute;
        }
        return span.getEventsList().stream()
                .filter(event -> SpanDialect.FIRST_TOKEN_EVENTS.contains(event.getName()))
                .findFirst()
                .map(event -> (event.getTimeUnixNano() - span.getStartTimeUnixNano()) / 1e6);
    }

    /** Trace id and span id in hex: unique per span, the same when an exporter sends a span again. */
    static String requestId(Span span) {
        HexFormat hex = HexFormat.of();
        return hex.formatHex(span.getTraceId().toByteArray()) + "-"
                + hex.formatHex(span.getSpanId().toByteArray());
    }

    private static String timestamp(long unixNanos) {
        return Instant.ofEpochSecond(0, unixNanos).toString();
    }

    /**
     * Status ERROR or an {@code error.type}, named by: {@code error.type}, else the type of the
     * span's last {@code exception} event (OpenInference records errors only so), else the status
     * message, else {@code error}. An exception event alone is no error: a call may recover.
     */
    private static Optional<String> error(Span span, Map<String, AnyValue> attributes) {
        Optional<String> type = text(attributes, "error.type");
        if (span.getStatus().getCode() != Status.StatusCode.STATUS_CODE_ERROR && type.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(type.or(() -> exceptionType(span))
                .orElse(
                        span.getStatus().getMessage().isBlank()
                                ? "error"
                                : span.getStatus().getMessage()));
    }

    private static Optional<String> exceptionType(Span span) {
        Optional<String> type = Optional.empty();
        for (Span.Event event : span.getEventsList()) {
            if (event.getName().equals("exception")) {
                Optional<String> named = text(attributes(event.getAttributesList()), "exception.type");
                if (named.isPresent()) {
                    type = named;
                }
            }
        }
        return type;
    }

    /** A list attribute's first value ({@code gen_ai.response.finish_reasons}) or a string attribute. */
    private static Optional<String> finishReason(Map<String, AnyValue> attributes, List<String> keys) {
        for (String key : keys) {
            AnyValue reasons = attributes.get(key);
            if (reasons == null) {
                continue;
            }
            if (reasons.hasArrayValue() && reasons.getArrayValue().getValuesCount() > 0) {
                return Optional.of(reasons.getArrayValue().getValues(0).getStringValue())
                        .filter(s -> !s.isBlank());
            }
            return reasons.hasStringValue()
                    ? Optional.of(reasons.getStringValue()).filter(s -> !s.isBlank())
                    : Optional.empty();
        }
        return Optional.empty();
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
        return SpanDialect.text(attributes, key);
    }

    /** The end user's id: the OTel convention's, its older name, Langfuse's (OpenInference uses user.id). */
    static final List<String> END_USER = List.of("user.id", "enduser.id", "langfuse.user.id");

    /** The session or conversation: OpenInference's and Langfuse's, then the OTel GenAI conversation. */
    static final List<String> SESSION = List.of("session.id", "langfuse.session.id", "gen_ai.conversation.id");

    private static boolean fitsAnIdentifier(String value) {
        return !value.isBlank()
                && value.length() <= dev.streamlens.model.ValidationLimits.DEFAULTS.maxIdentifierLength()
                && value.chars().noneMatch(Character::isISOControl);
    }

    private static Optional<String> firstText(Map<String, AnyValue> attributes, List<String> keys) {
        return keys.stream()
                .map(key -> text(attributes, key))
                .flatMap(Optional::stream)
                .findFirst();
    }

    /**
     * A token count under the current name or an older one: the first attribute present (an
     * attribute without a value is absent, as JSON's null) goes into the event as the JSON value it
     * holds, and the JSON API's rule decides it: a whole number from 0 to its limit, where a whole
     * double such as 12.0 counts as 12 and a fraction, a negative or larger number, a word or a
     * boolean is refused. A refused count is never read as no count, nor replaced by the next name's.
     */
    private static void count(
            ObjectNode event,
            String field,
            Map<String, AnyValue> attributes,
            Map<String, String> attributeOf,
            List<String> keys) {
        for (String key : keys) {
            AnyValue value = attributes.get(key);
            if (value == null || value.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET) {
                continue;
            }
            event.set(field, json(value));
            attributeOf.put(field, key);
            return;
        }
    }

    /** An attribute's value as the JSON value of the same type; a string of a number is that number. */
    static JsonNode json(AnyValue value) {
        return switch (value.getValueCase()) {
            case INT_VALUE -> NODES.numberNode(value.getIntValue());
            case DOUBLE_VALUE -> NODES.numberNode(value.getDoubleValue());
            case STRING_VALUE -> number(value.getStringValue());
            case BOOL_VALUE -> NODES.booleanNode(value.getBoolValue());
            case ARRAY_VALUE -> NODES.arrayNode();
            case KVLIST_VALUE -> NODES.objectNode();
            case BYTES_VALUE -> NODES.binaryNode(value.getBytesValue().toByteArray());
            case VALUE_NOT_SET -> NODES.nullNode();
        };
    }

    /** Digits are the integer they spell, however long ("12" is 12); a decimal is a double, as JSON reads it. */
    private static JsonNode number(String text) {
        if (text.length() <= MAX_NUMBER_LENGTH && INTEGER.matcher(text).matches()) {
            return NODES.numberNode(new BigInteger(text));
        }
        if (text.length() <= MAX_NUMBER_LENGTH && DECIMAL.matcher(text).matches()) {
            return NODES.numberNode(Double.parseDouble(text));
        }
        return NODES.textNode(text);
    }

    private static Optional<Double> number(Map<String, AnyValue> attributes, List<String> keys) {
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
