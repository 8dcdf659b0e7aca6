package dev.streamlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads the fields of one event's JSON object, checking each against its rule and collecting
 * every violation instead of stopping at the first. Returns null for a field in error.
 */
final class FieldReader {

    private final JsonNode node;
    private final ValidationLimits limits;
    /** When the event was received: the future bound is measured from here. */
    private final Instant receivedAt;

    private final List<FieldError> errors = new ArrayList<>();

    /** Size of the whole document in bytes, or -1 when unknown (an item of a batch). */
    private final int documentBytes;

    FieldReader(JsonNode node, int documentBytes, ValidationLimits limits, Instant receivedAt) {
        this.node = node;
        this.documentBytes = documentBytes;
        this.limits = limits;
        this.receivedAt = receivedAt;
    }

    List<FieldError> errors() {
        return errors;
    }

    String requiredIdentifier(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fail(field, "is required");
        }
        return identifier(field, value);
    }

    String optionalIdentifier(String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : identifier(field, value);
    }

    String optionalText(String field, int maxLength) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            return fail(field, "must be a string or null");
        }
        String text = value.textValue();
        if (text.length() > maxLength) {
            return fail(field, "must be at most " + maxLength + " characters");
        }
        return text;
    }

    Instant requiredTimestamp(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fail(field, "is required");
        }
        if (!value.isTextual()) {
            return fail(field, "must be an RFC 3339 string such as 2025-11-20T10:00:30.000Z");
        }
        Instant instant = Rfc3339.parse(value.textValue());
        if (instant == null) {
            return fail(
                    field,
                    "must be RFC 3339 with a four-digit year and an offset or Z, such as 2025-11-20T10:00:30.000Z");
        }
        if (!Rfc3339.inRange(instant)) {
            return fail(field, "must lie between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        }
        Instant latest = receivedAt.plus(limits.maxFutureSkew());
        if (instant.isAfter(latest)) {
            return fail(
                    field, "must not lie more than " + limits.maxFutureSkew().toSeconds() + " s in the future");
        }
        return instant;
    }

    /** A non-negative whole number (tokens). A float with a whole value, like 100.0, is accepted. */
    Long optionalCount(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !isWhole(value)) {
            return fail(field, "must be an integer >= 0");
        }
        if (value.isIntegralNumber() ? value.bigIntegerValue().signum() < 0 : value.doubleValue() < 0) {
            return fail(field, "must be an integer >= 0");
        }
        if (!value.canConvertToLong() || value.longValue() > limits.maxTokens()) {
            return fail(field, "must be at most " + limits.maxTokens());
        }
        return value.longValue();
    }

    /** A non-negative number of milliseconds. */
    Double optionalDuration(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            return fail(field, "must be a number >= 0");
        }
        double ms = value.doubleValue();
        if (!(ms >= 0)) {
            return fail(field, "must be a number >= 0");
        }
        if (ms > limits.maxLatencyMs()) {
            return fail(field, "must be at most " + (long) limits.maxLatencyMs());
        }
        return ms;
    }

    JsonNode optionalMetadata(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            return fail(field, "must be a JSON object");
        }
        int depth = depth(value);
        if (depth > limits.maxMetadataDepth()) {
            return fail(field, "must not nest deeper than " + limits.maxMetadataDepth() + " levels");
        }
        int keys = countKeys(value);
        if (keys > limits.maxMetadataKeys()) {
            return fail(field, "must not hold more than " + limits.maxMetadataKeys() + " keys");
        }
        // Compact JSON is never longer than the document it came from: skip the count for small documents.
        boolean mayBeTooLarge = documentBytes < 0 || documentBytes > limits.maxMetadataBytes();
        if (mayBeTooLarge && value.toString().getBytes(StandardCharsets.UTF_8).length > limits.maxMetadataBytes()) {
            return fail(field, "must not exceed " + limits.maxMetadataBytes() + " bytes as JSON");
        }
        return value;
    }

    private String identifier(String field, JsonNode value) {
        if (!value.isTextual()) {
            return fail(field, "must be a string");
        }
        String text = value.textValue();
        if (text.isBlank()) {
            return fail(field, "must not be empty");
        }
        if (text.length() > limits.maxIdentifierLength()) {
            return fail(field, "must be at most " + limits.maxIdentifierLength() + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return fail(field, "must not contain control characters");
            }
        }
        return text;
    }

    private static boolean isWhole(JsonNode number) {
        if (number.isIntegralNumber()) {
            return true;
        }
        double d = number.doubleValue();
        return Double.isFinite(d) && d == Math.rint(d);
    }

    /** Nesting levels of containers, an object or array counting one. */
    private static int depth(JsonNode value) {
        if (!value.isContainerNode()) {
            return 0;
        }
        int deepest = 0;
        for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
            deepest = Math.max(deepest, depth(it.next()));
        }
        return deepest + 1;
    }

    private static int countKeys(JsonNode value) {
        int keys = value.isObject() ? value.size() : 0;
        for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
            keys += countKeys(it.next());
        }
        return keys;
    }

    boolean hasError(String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field));
    }

    /** A rule between fields, checked after they were read. */
    void reject(String field, String reason) {
        fail(field, reason);
    }

    private <T> T fail(String field, String reason) {
        errors.add(new FieldError(field, reason));
        return null;
    }
}
