package dev.streamlens.job.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.model.EventJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * USD prices per million tokens by model name (docs/DESIGN.md#what-the-numbers-mean, rule 6): exact name first, then the longest
 * matching prefix, so {@code gpt-4o-2024-08-06} prices as {@code gpt-4o}. Prices are held as
 * integer pico-dollars per token, so costs add up exactly.
 */
public final class PriceTable implements Serializable {

    private static final long serialVersionUID = 1L;
    public static final String BUNDLED = "/pricing/default-prices.json";

    /**
     * Pico-dollars per token of one model: input (prompt) and output (completion), and the prompt
     * tokens read from or written to the provider's prompt cache (the input price when the table
     * gives none).
     */
    public record Price(
            long inputPicoPerToken, long outputPicoPerToken, long cacheReadPicoPerToken, long cacheWritePicoPerToken)
            implements Serializable {
        public Price(long inputPicoPerToken, long outputPicoPerToken) {
            this(inputPicoPerToken, outputPicoPerToken, inputPicoPerToken, inputPicoPerToken);
        }
    }

    private final TreeMap<String, Price> prices;

    private PriceTable(TreeMap<String, Price> prices) {
        this.prices = prices;
    }

    /** The table shipped with the job. */
    public static PriceTable bundled() {
        try (InputStream in = PriceTable.class.getResourceAsStream(BUNDLED)) {
            return parse(in.readAllBytes(), BUNDLED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A table from a file, or the bundled one when {@code path} is null. */
    public static PriceTable load(String path) {
        if (path == null || path.isBlank()) {
            return bundled();
        }
        try {
            return parse(Files.readAllBytes(Path.of(path)), path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price table " + path, e);
        }
    }

    /**
     * Parses {@code {"models": {"gpt-4o": {"input_per_million": 2.5, "output_per_million": 10.0,
     * "cache_read_per_million": 1.25, "cache_write_per_million": 2.5}}}}; the cache prices are optional.
     */
    public static PriceTable parse(byte[] json, String source) {
        JsonNode models;
        try {
            models = EventJson.mapper().readTree(json).path("models");
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not JSON: " + e.getMessage(), e);
        }
        if (!models.isObject()) {
            throw new IllegalArgumentException(source + ": expected an object \"models\"");
        }
        TreeMap<String, Price> prices = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> model = it.next();
            String where = source + ": models." + model.getKey();
            JsonNode entry = model.getValue();
            long input = picoPerToken(entry.get("input_per_million"), where + ".input_per_million");
            prices.put(
                    model.getKey(),
                    new Price(
                            input,
                            picoPerToken(entry.get("output_per_million"), where + ".output_per_million"),
                            entry.has("cache_read_per_million")
                                    ? picoPerToken(
                                            entry.get("cache_read_per_million"), where + ".cache_read_per_million")
                                    : input,
                            entry.has("cache_write_per_million")
                                    ? picoPerToken(
                                            entry.get("cache_write_per_million"), where + ".cache_write_per_million")
                                    : input));
        }
        return new PriceTable(prices);
    }

    /** The price of a model, or null when neither its name nor any prefix of it is listed. */
    public Price priceOf(String model) {
        Price exact = prices.get(model);
        if (exact != null) {
            return exact;
        }
        for (int end = model.length() - 1; end > 0; end--) {
            Price prefixed = prices.get(model.substring(0, end));
            if (prefixed != null) {
                return prefixed;
            }
        }
        return null;
    }

    public int size() {
        return prices.size();
    }

    /** Exact USD cost of the given token totals at this price, without prompt caching (12 decimal places). */
    public static BigDecimal costUsd(Price price, long promptTokens, long completionTokens) {
        return costUsd(price, promptTokens, 0, 0, completionTokens);
    }

    /**
     * Exact USD cost of token totals with prompt caching (12 decimal places): cached and
     * cache-written tokens are part of the prompt tokens, so each prompt token is charged once, at
     * the cache read price, the cache write price, or the input price for the rest
     * (docs/DESIGN.md#what-the-numbers-mean, rule 6). Linear, so the cost of a window's sums is
     * the sum of its calls' costs.
     */
    public static BigDecimal costUsd(
            Price price, long promptTokens, long cachedPromptTokens, long cacheWriteTokens, long completionTokens) {
        long uncached = promptTokens - cachedPromptTokens - cacheWriteTokens;
        BigInteger pico = BigInteger.valueOf(uncached)
                .multiply(BigInteger.valueOf(price.inputPicoPerToken()))
                .add(BigInteger.valueOf(cachedPromptTokens).multiply(BigInteger.valueOf(price.cacheReadPicoPerToken())))
                .add(BigInteger.valueOf(cacheWriteTokens).multiply(BigInteger.valueOf(price.cacheWritePicoPerToken())))
                .add(BigInteger.valueOf(completionTokens).multiply(BigInteger.valueOf(price.outputPicoPerToken())));
        return new BigDecimal(pico, 12);
    }

    private static long picoPerToken(JsonNode perMillion, String where) {
        if (perMillion == null
                || !perMillion.isNumber()
                || perMillion.decimalValue().signum() < 0) {
            throw new IllegalArgumentException(where + " must be a number >= 0");
        }
        // USD per 1e6 tokens = 1e6 pico-dollars per token per USD: move the point 6 places.
        BigDecimal pico = perMillion.decimalValue().movePointRight(6);
        try {
            return pico.setScale(0).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + " may have at most 6 decimal places");
        }
    }
}
