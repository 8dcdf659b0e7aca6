package dev.streamlens.job.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PriceTableTest {

    private final PriceTable table = PriceTable.parse("""
            {"models": {"gpt-4": {"input_per_million": 30, "output_per_million": 60},
                        "gpt-4o": {"input_per_million": 2.5, "output_per_million": 10.0},
                        "gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.6}}}
            """.getBytes(StandardCharsets.UTF_8), "test");

    @Test
    void exactNameFirstThenLongestPrefix() {
        assertThat(table.priceOf("gpt-4o")).isEqualTo(new PriceTable.Price(2_500_000, 10_000_000));
        assertThat(table.priceOf("gpt-4o-2024-08-06")).isEqualTo(table.priceOf("gpt-4o"));
        assertThat(table.priceOf("gpt-4o-mini-2024-07-18")).isEqualTo(table.priceOf("gpt-4o-mini"));
        assertThat(table.priceOf("gpt-4-0613")).isEqualTo(table.priceOf("gpt-4"));
        assertThat(table.priceOf("claude-3")).isNull();
        assertThat(table.priceOf("gpt")).isNull();
    }

    @Test
    void costIsExactInDecimal() {
        // (1,234,567 x 0.15 + 7 x 0.6) / 1,000,000 = (185,185.05 + 4.2) / 1e6, with no float rounding
        BigDecimal expected = new BigDecimal("1234567")
                .multiply(new BigDecimal("0.15"))
                .add(new BigDecimal("7").multiply(new BigDecimal("0.6")))
                .movePointLeft(6);
        assertThat(PriceTable.costUsd(table.priceOf("gpt-4o-mini"), 1_234_567, 7))
                .isEqualByComparingTo(expected);
    }

    @Test
    void cachedPromptTokensAreChargedOnceAtTheCachePrice() {
        PriceTable cached = PriceTable.parse("""
                {"models": {"claude-sonnet-4": {"input_per_million": 3.0, "output_per_million": 15.0,
                                                "cache_read_per_million": 0.3, "cache_write_per_million": 3.75},
                            "gpt-4o": {"input_per_million": 2.5, "output_per_million": 10.0, "cache_read_per_million": 1.25},
                            "mistral-large": {"input_per_million": 2.0, "output_per_million": 6.0}}}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8), "test");
        // 10,000 prompt tokens of which 8,000 read from the cache and 1,000 written to it, 500 completion tokens:
        // 1,000 x $3 + 8,000 x $0.30 + 1,000 x $3.75 + 500 x $15 per million, each prompt token once.
        assertThat(PriceTable.costUsd(cached.priceOf("claude-sonnet-4-20250514"), 10_000, 8_000, 1_000, 500))
                .isEqualByComparingTo(new BigDecimal("0.016650"));
        // Not billed twice (as input and as cached), nor left out: without caching the same call costs more.
        assertThat(PriceTable.costUsd(cached.priceOf("claude-sonnet-4"), 10_000, 0, 0, 500))
                .isEqualByComparingTo(new BigDecimal("0.037500"));
        // OpenAI lists no write surcharge: written tokens cost the input price.
        assertThat(PriceTable.costUsd(cached.priceOf("gpt-4o"), 1_000, 600, 400, 0))
                .isEqualByComparingTo(new BigDecimal("0.00175"));
        // A model without cache prices charges cached tokens at its input price.
        assertThat(PriceTable.costUsd(cached.priceOf("mistral-large"), 1_000, 900, 0, 0))
                .isEqualByComparingTo(PriceTable.costUsd(cached.priceOf("mistral-large"), 1_000, 0));
    }

    @Test
    void theBundledTableLoadsAndPricesTheSeedModels() {
        PriceTable bundled = PriceTable.bundled();
        assertThat(bundled.size()).isGreaterThan(10);
        assertThat(bundled.priceOf("gpt-4")).isNotNull();
        assertThat(bundled.priceOf("gpt-4.1-mini")).isNotNull();
        assertThat(bundled.priceOf("gpt-4o-2024-08-06")).isEqualTo(bundled.priceOf("gpt-4o"));
    }

    @Test
    void refusesMalformedTables() {
        assertThatThrownBy(() -> PriceTable.parse(
                        "{\"models\": {\"x\": {\"input_per_million\": -1, \"output_per_million\": 1}}}"
                                .getBytes(StandardCharsets.UTF_8),
                        "t"))
                .hasMessageContaining("models.x.input_per_million");
        assertThatThrownBy(() -> PriceTable.parse(
                        "{\"models\": {\"x\": {\"input_per_million\": 0.0000001, \"output_per_million\": 1}}}"
                                .getBytes(StandardCharsets.UTF_8),
                        "t"))
                .hasMessageContaining("6 decimal places");
        assertThatThrownBy(() -> PriceTable.parse("[]".getBytes(StandardCharsets.UTF_8), "t"))
                .hasMessageContaining("models");
    }
}
