package dev.streamlens.model.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One price of a model (USD per million tokens, or per thousand requests), flat or tiered by the
 * call's prompt size: {@code {"base": 3, "tiers": [{"start": 200000, "price": 6}]}}. A call whose
 * prompt tokens (cache included) are above a tier's start pays that tier's price for all its tokens
 * of this kind, not only those above the start (the catalog's rule).
 */
public record TieredPrice(BigDecimal base, List<Tier> tiers) {

    public record Tier(long start, BigDecimal price) {}

    /** The price for a call with this many prompt tokens. */
    public BigDecimal at(long promptTokens) {
        BigDecimal price = base;
        for (Tier tier : tiers) {
            if (promptTokens > tier.start()) {
                price = tier.price();
            }
        }
        return price;
    }

    public boolean isTiered() {
        return !tiers.isEmpty();
    }

    static TieredPrice of(JsonNode value, String where) {
        if (value.isNumber()) {
            return new TieredPrice(nonNegative(value, where), List.of());
        }
        if (!value.isObject() || !value.has("base") || !value.path("tiers").isArray()) {
            throw new IllegalArgumentException(where + ": a price is a number or {\"base\": …, \"tiers\": […]}");
        }
        List<Tier> tiers = new ArrayList<>();
        for (JsonNode tier : value.get("tiers")) {
            if (!tier.path("start").canConvertToLong()) {
                throw new IllegalArgumentException(where + ": a tier's start is a whole number of tokens");
            }
            tiers.add(new Tier(tier.get("start").asLong(), nonNegative(tier.get("price"), where)));
        }
        tiers.sort(Comparator.comparingLong(Tier::start));
        return new TieredPrice(nonNegative(value.get("base"), where), List.copyOf(tiers));
    }

    private static BigDecimal nonNegative(JsonNode value, String where) {
        if (value == null || !value.isNumber() || value.decimalValue().signum() < 0) {
            throw new IllegalArgumentException(where + ": a price is a number >= 0");
        }
        return value.decimalValue();
    }
}
