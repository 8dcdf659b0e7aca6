package dev.streamlens.model.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The user's own prices (in-house models, negotiated discounts), read as a catalog in one of two
 * formats:
 * <ul>
 *   <li>the genai-prices format itself: a list of providers with their models;
 *   <li>StreamLens's earlier price table, {@code {"models": {"gpt-4o": {"input_per_million": 2.5,
 *       "output_per_million": 10, "cache_read_per_million": 1.25, "cache_write_per_million": 2.5}}}}
 *       (cache prices optional): each name matches itself and any id it begins, the longest name
 *       first, so {@code gpt-4o-2024-08-06} prices as {@code gpt-4o}, as that table did.
 * </ul>
 */
public final class UserPrices {

    /** The provider id the earlier table's models are listed under. */
    public static final String TABLE_PROVIDER = "pricing-file";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final Map<String, String> TABLE_KEYS = Map.of(
            "input_per_million", PriceSet.INPUT,
            "output_per_million", PriceSet.OUTPUT,
            "cache_read_per_million", PriceSet.CACHE_READ,
            "cache_write_per_million", PriceSet.CACHE_WRITE);

    private UserPrices() {}

    /** The entries of a price file; a file in neither format is refused, naming where. */
    public static PriceCatalog read(byte[] json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not JSON: " + e.getMessage(), e);
        }
        try {
            if (root != null && root.isObject()) {
                return PriceCatalog.of(fromTable(root));
            }
            return PriceCatalog.of(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static ArrayNode fromTable(JsonNode table) {
        JsonNode models = table.get("models");
        if (models == null || !models.isObject()) {
            throw new IllegalArgumentException(
                    "expected a list of providers (the genai-prices format) or an object \"models\"");
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        models.fields().forEachRemaining(entries::add);
        entries.sort(Comparator.comparingInt(
                        (Map.Entry<String, JsonNode> e) -> e.getKey().length())
                .reversed());
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ArrayNode converted = nodes.arrayNode();
        for (Map.Entry<String, JsonNode> model : entries) {
            String where = "models." + model.getKey();
            ObjectNode prices = nodes.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = model.getValue().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> price = it.next();
                String key = TABLE_KEYS.get(price.getKey());
                if (key != null) {
                    prices.set(key, price.getValue());
                }
            }
            for (String required : List.of("input_per_million", "output_per_million")) {
                JsonNode value = model.getValue().get(required);
                if (value == null || !value.isNumber() || value.decimalValue().compareTo(BigDecimal.ZERO) < 0) {
                    throw new IllegalArgumentException(where + "." + required + " must be a number >= 0");
                }
            }
            ObjectNode entry = nodes.objectNode();
            entry.put("id", model.getKey());
            entry.set("match", nodes.objectNode().put("starts_with", model.getKey()));
            entry.set("prices", prices);
            converted.add(entry);
        }
        ObjectNode provider = nodes.objectNode();
        provider.put("id", TABLE_PROVIDER);
        provider.set("models", converted);
        return nodes.arrayNode().add(provider);
    }
}
