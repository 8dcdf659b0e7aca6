package dev.streamlens.model.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One published change of prices (docs/PRICING.md#changing-prices-while-running): entries in the
 * user's price file formats ({@link UserPrices}) that take effect for calls from a time on. As
 * written to {@code llm.prices}, keyed by the version number:
 * {@code {"version": 3, "effective_from": "2026-12-07T10:00:00Z", "source": "PUT /v1/prices", "entries": [...]}}.
 *
 * @param entries the entries as JSON text (kept as text: the job keeps versions in its state)
 */
public record PriceVersion(long version, Instant effectiveFrom, String source, String entries)
        implements java.io.Serializable {

    private static final ObjectMapper JSON = new ObjectMapper();

    public PriceVersion {
        if (version <= 0) {
            throw new IllegalArgumentException("a price version is numbered from 1");
        }
        UserPrices.read(entries.getBytes(StandardCharsets.UTF_8), "price version " + version);
    }

    /** The record's value on {@code llm.prices}. */
    public byte[] toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("version", version);
        json.put("effective_from", effectiveFrom.toString());
        json.put("source", source);
        try {
            json.set("entries", JSON.readTree(entries));
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new IllegalStateException("a price version's entries are JSON", e);
        }
    }

    /** A record of {@code llm.prices}; a value that is not a price version is refused, naming why. */
    public static PriceVersion fromJson(byte[] value) {
        JsonNode json;
        try {
            json = JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("a price version is JSON: " + e.getMessage(), e);
        }
        if (json == null
                || !json.path("version").canConvertToLong()
                || !json.path("effective_from").isTextual()
                || !json.has("entries")) {
            throw new IllegalArgumentException("a price version has a version, an effective_from and entries");
        }
        return new PriceVersion(
                json.get("version").asLong(),
                Instant.parse(json.get("effective_from").asText()),
                json.path("source").asText(""),
                json.get("entries").toString());
    }
}
