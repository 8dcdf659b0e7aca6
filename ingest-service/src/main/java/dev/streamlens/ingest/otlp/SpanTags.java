package dev.streamlens.ingest.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The values a span gives its tenant's custom dimensions (docs/ATTRIBUTION.md#custom-dimensions),
 * copied into the request's {@code metadata}, where the job reads its declared keys: as the JSON
 * API's metadata would carry them. The ingest service does not know which keys a tenant declared,
 * so it copies what the tracing dialects mark as metadata:
 * <ul>
 *   <li>{@code streamlens.tag.<key>} — any OpenTelemetry SDK, on the span or its resource;</li>
 *   <li>{@code langfuse.trace.metadata.<key>} and {@code langfuse.observation.metadata.<key>} — Langfuse;</li>
 *   <li>{@code metadata} — OpenInference: a JSON object in a string, its top-level values.</li>
 * </ul>
 * Only plain values (text, numbers, booleans) are copied, at most {@link #MAX_TAGS} per span, none
 * longer than {@link #MAX_VALUE_LENGTH}: the metadata must stay within the JSON API's bounds, and
 * a call is never refused for a tag.
 */
final class SpanTags {

    /** Tags copied per span at most; the JSON API allows more metadata keys than this. */
    static final int MAX_TAGS = 32;

    static final int MAX_VALUE_LENGTH = 256;

    private static final int MAX_KEY_LENGTH = 64;
    private static final List<String> PREFIXES =
            List.of("streamlens.tag.", "langfuse.trace.metadata.", "langfuse.observation.metadata.");
    private static final String OPENINFERENCE_METADATA = "metadata";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SpanTags() {}

    /** Copies the resource's tags, then the span's (the span's win), into the metadata. */
    static void copyInto(ObjectNode metadata, Map<String, AnyValue> resource, Map<String, AnyValue> span) {
        for (Map<String, AnyValue> attributes : List.of(resource, span)) {
            AnyValue openInference = attributes.get(OPENINFERENCE_METADATA);
            if (openInference != null && openInference.hasStringValue()) {
                copyJsonObject(metadata, openInference.getStringValue());
            }
            for (Map.Entry<String, AnyValue> attribute : attributes.entrySet()) {
                for (String prefix : PREFIXES) {
                    if (attribute.getKey().startsWith(prefix)) {
                        String value = plain(attribute.getValue());
                        if (value != null) {
                            put(metadata, attribute.getKey().substring(prefix.length()), value);
                        }
                    }
                }
            }
        }
    }

    private static void copyJsonObject(ObjectNode metadata, String json) {
        JsonNode object;
        try {
            object = JSON.readTree(json);
        } catch (Exception e) {
            return; // not JSON: nothing to copy, and the call still counts
        }
        if (object == null || !object.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isValueNode() && !field.getValue().isNull()) {
                put(metadata, field.getKey(), field.getValue().asText());
            }
        }
    }

    private static void put(ObjectNode metadata, String key, String value) {
        boolean fits = !key.isEmpty()
                && key.length() <= MAX_KEY_LENGTH
                && value.length() <= MAX_VALUE_LENGTH
                && value.chars().noneMatch(Character::isISOControl);
        if (fits && (metadata.has(key) || metadata.size() < MAX_TAGS)) {
            metadata.put(key, value);
        }
    }

    private static String plain(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            default -> null;
        };
    }
}
