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
public final class PriceSet {

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

    private final Map<String, TieredPrice> prices;

    /** The token prices in whole pico-dollars per token (per request for requests), for the exact fast path. */
    private final WholeRate input;

    private final WholeRate output;
    private final WholeRate cacheRead;
    private final WholeRate cacheWrite;
    private final WholeRate reasoning;
    private final WholeRate requests;

    PriceSet(Map<String, TieredPrice> prices) {
        this.prices = prices;
        this.input = WholeRate.of(prices.get(INPUT), PICO_PER_MTOK);
        this.output = WholeRate.of(prices.get(OUTPUT), PICO_PER_MTOK);
        this.cacheRead = WholeRate.of(prices.get(CACHE_READ), PICO_PER_MTOK);
        this.cacheWrite = WholeRate.of(prices.get(CACHE_WRITE), PICO_PER_MTOK);
        this.reasoning = WholeRate.of(prices.get(REASONING), PICO_PER_MTOK);
        this.requests = WholeRate.of(prices.get(REQUESTS), PICO_PER_KCOUNT);
    }

    /** The prices by the catalog's keys. */
    public Map<String, TieredPrice> prices() {
        return prices;
    }

    /**
     * A price as whole pico-dollars per unit, tier by tier; null when it has a fraction of a
     * pico-dollar at some tier (a few float artefacts of the feed), which then goes the BigDecimal way.
     */
    private record WholeRate(long[] starts, long[] picoPerUnit) {
        static WholeRate of(TieredPrice price, BigDecimal picoPerUsdUnit) {
            if (price == null) {
                return null;
            }
            long[] starts = new long[price.tiers().size() + 1];
            long[] pico = new long[starts.length];
            starts[0] = Long.MIN_VALUE;
            try {
                pico[0] = price.base().multiply(picoPerUsdUnit).longValueExact();
                for (int i = 0; i < price.tiers().size(); i++) {
                    starts[i + 1] = price.tiers().get(i).start();
                    pico[i + 1] = price.tiers()
                            .get(i)
                            .price()
                            .multiply(picoPerUsdUnit)
                            .longValueExact();
                }
            } catch (ArithmeticException fractionOrTooLarge) {
                return null;
            }
            return new WholeRate(starts, pico);
        }

        /** As {@link TieredPrice#at}: the last tier whose start the prompt is above. */
        long at(long promptTokens) {
            long rate = picoPerUnit[0];
            for (int i = 1; i < starts.length; i++) {
                if (promptTokens > starts[i]) {
                    rate = picoPerUnit[i];
                }
            }
            return rate;
        }
    }

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
        long uncached = Math.max(0, prompt - cacheRead - cacheWrite);
        long answered = Math.max(0, usage.completionTokens() - reasoning);
        try {
            // Whole pico-dollars per token: the sum is whole, so long arithmetic is exact (the usual case).
            long total = whole(INPUT, input, prompt, uncached);
            total = Math.addExact(total, whole(CACHE_READ, this.cacheRead, prompt, cacheRead));
            total = Math.addExact(total, whole(CACHE_WRITE, this.cacheWrite, prompt, cacheWrite));
            total = Math.addExact(total, whole(OUTPUT, output, prompt, answered));
            total = Math.addExact(total, whole(REASONING, this.reasoning, prompt, reasoning));
            return Math.addExact(total, whole(REQUESTS, requests, prompt, 1));
        } catch (ArithmeticException fractionOrOverflow) {
            return exactPicoDollars(prompt, cacheRead, cacheWrite, usage.completionTokens(), reasoning);
        }
    }

    /** units × the key's whole rate; throws when its price has a fraction of a pico-dollar (or overflows). */
    private long whole(String key, WholeRate rate, long promptTokens, long units) {
        if (units <= 0 || !prices.containsKey(key)) {
            return 0;
        }
        if (rate == null) {
            throw new ArithmeticException("a fraction of a pico-dollar");
        }
        return Math.multiplyExact(units, rate.at(promptTokens));
    }

    private long exactPicoDollars(long prompt, long cacheRead, long cacheWrite, long completion, long reasoning) {
        BigDecimal total = perToken(INPUT, prompt, Math.max(0, prompt - cacheRead - cacheWrite))
                .add(perToken(CACHE_READ, prompt, cacheRead))
                .add(perToken(CACHE_WRITE, prompt, cacheWrite))
                .add(perToken(OUTPUT, prompt, Math.max(0, completion - reasoning)))
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
