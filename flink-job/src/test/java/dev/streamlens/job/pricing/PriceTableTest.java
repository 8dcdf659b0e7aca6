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
        BigDecimal expected = new BigDecimal("1234567").multiply(new BigDecimal("0.15"))
                .add(new BigDecimal("7").multiply(new BigDecimal("0.6"))).movePointLeft(6);
        assertThat(PriceTable.costUsd(table.priceOf("gpt-4o-mini"), 1_234_567, 7)).isEqualByComparingTo(expected);
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
        assertThatThrownBy(() -> PriceTable.parse("{\"models\": {\"x\": {\"input_per_million\": -1, \"output_per_million\": 1}}}"
                .getBytes(StandardCharsets.UTF_8), "t")).hasMessageContaining("models.x.input_per_million");
        assertThatThrownBy(() -> PriceTable.parse("{\"models\": {\"x\": {\"input_per_million\": 0.0000001, \"output_per_million\": 1}}}"
                .getBytes(StandardCharsets.UTF_8), "t")).hasMessageContaining("6 decimal places");
        assertThatThrownBy(() -> PriceTable.parse("[]".getBytes(StandardCharsets.UTF_8), "t"))
                .hasMessageContaining("models");
    }
}
