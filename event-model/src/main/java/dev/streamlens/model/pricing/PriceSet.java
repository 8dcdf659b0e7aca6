package dev.streamlens.model.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The prices of a model at one time, by the catalog's keys ({@code input_mtok}, {@code output_mtok},
 * {@code cache_read_mtok}, ...), and what one call costs at them. Prompt tokens include the cached
 * and cache-written ones and completion tokens the reasoning ones (the catalog's rule and
 * StreamLens's): a part is charged at its own price when the model has one, else as the whole it
 * belongs to. Tiers are decided by the prompt tokens. Keys StreamLens does not count (audio, images,
 * web searches, the one-hour cache writes) are kept but not charged: events carry no such counts.
 */
public record PriceSet(Map<String, TieredPrice> prices) {

    static final String INPUT = "input_mtok";
    static final String OUTPUT = "output_mtok";
    static final String CACHE_READ = "cache_read_mtok";
    static final String CACHE_WRITE = "cache_write_mtok";
    static final String REASONING = "output_reasoning_mtok";
    static final String REQUESTS = "requests_kcount";

    /** Pico-dollars per USD per million: a price per million tokens is this many pico-dollars per token. */
    private static final BigDecimal PICO_PER_MTOK = BigDecimal.valueOf(1_000_000L);

    /** A price per thousand requests is this many pico-dollars per request. */
    private static final BigDecimal PICO_PER_KCOUNT = BigDecimal.valueOf(1_000_000_000L);

    /** One call's token counts, parts included in their wholes. */
    public record Usage(
            long promptTokens,
            long cachedPromptTokens,
            long cacheWriteTokens,
            long completionTokens,
            long reasoningTokens) {}

    /** The cost of one call in whole pico-dollars (the exact sum, rounded once, half even). */
    public long picoDollars(Usage usage) {
        long prompt = usage.promptTokens();
        long cacheRead = prices.containsKey(CACHE_READ) ? usage.cachedPromptTokens() : 0;
        long cacheWrite = prices.containsKey(CACHE_WRITE) ? usage.cacheWriteTokens() : 0;
        long reasoning = prices.containsKey(REASONING) ? usage.reasoningTokens() : 0;
        BigDecimal total = perToken(INPUT, prompt, Math.max(0, prompt - cacheRead - cacheWrite))
                .add(perToken(CACHE_READ, prompt, cacheRead))
                .add(perToken(CACHE_WRITE, prompt, cacheWrite))
                .add(perToken(OUTPUT, prompt, Math.max(0, usage.completionTokens() - reasoning)))
                .add(perToken(REASONING, prompt, reasoning));
        TieredPrice perRequest = prices.get(REQUESTS);
        if (perRequest != null) {
            total = total.add(perRequest.at(prompt).multiply(PICO_PER_KCOUNT));
        }
        return total.setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    private BigDecimal perToken(String key, long promptTokens, long tokens) {
        TieredPrice price = prices.get(key);
        if (price == null || tokens <= 0) {
            return BigDecimal.ZERO;
        }
        return price.at(promptTokens).multiply(PICO_PER_MTOK).multiply(BigDecimal.valueOf(tokens));
    }

    static PriceSet of(JsonNode value, String where) {
        if (!value.isObject()) {
            throw new IllegalArgumentException(where + ": prices are an object of price keys");
        }
        Map<String, TieredPrice> prices = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            prices.put(field.getKey(), TieredPrice.of(field.getValue(), where + " " + field.getKey()));
        }
        return new PriceSet(Map.copyOf(prices));
    }
}
