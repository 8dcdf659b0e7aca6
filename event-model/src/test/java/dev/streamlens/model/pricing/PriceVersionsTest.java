package dev.streamlens.model.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Which published versions price a call of a given time, and which version a call says it was
 * priced as of. Expected costs by hand: tokens × USD per million × 1e6 pico-dollars.
 */
class PriceVersionsTest {

    private static final PriceSet.Usage CALL = new PriceSet.Usage(1_000, 0, 0, 100, 0);

    private static PriceVersion version(long number, String effectiveFrom, String model, int in, int out) {
        return new PriceVersion(
                number,
                Instant.parse(effectiveFrom),
                "test",
                "{\"models\": {\"" + model + "\": {\"input_per_million\": " + in + ", \"output_per_million\": " + out
                        + "}}}");
    }

    private static long at(String time) {
        return Instant.parse(time).toEpochMilli();
    }

    @Test
    void theVersionsInForceAtACallsTimePriceItTheLatestStartFirst() {
        PriceVersions prices = new PriceVersions(
                CallPricer.catalogOnly(),
                List.of(
                        version(1, "2026-12-01T00:00:00Z", "in-house-llm", 1, 2),
                        // published later, correcting November: it must not touch December
                        version(2, "2026-11-01T00:00:00Z", "in-house-llm", 3, 4),
                        version(3, "2026-12-01T00:00:00Z", "gpt-4o", 1, 1)));

        assertThat(prices.price(null, "in-house-llm", at("2026-10-31T23:59:59Z"), CALL))
                .isEqualTo(new PriceVersions.Priced(OptionalLong.empty(), 0));
        assertThat(prices.price(null, "in-house-llm", at("2026-11-15T00:00:00Z"), CALL))
                .isEqualTo(new PriceVersions.Priced(OptionalLong.of(1_000L * 3_000_000 + 100L * 4_000_000), 2));
        assertThat(prices.price(null, "in-house-llm", at("2026-12-02T00:00:00Z"), CALL))
                .isEqualTo(new PriceVersions.Priced(OptionalLong.of(1_000L * 1_000_000 + 100L * 2_000_000), 3));
        assertThat(prices.price("openai", "gpt-4o", at("2026-12-02T00:00:00Z"), CALL))
                .isEqualTo(new PriceVersions.Priced(OptionalLong.of(1_000L * 1_000_000 + 100L * 1_000_000), 3));
        // Before version 3, gpt-4o is the catalog's (2.5 / 10), as of version 2.
        assertThat(prices.price("openai", "gpt-4o", at("2026-11-30T23:59:59Z"), CALL))
                .isEqualTo(new PriceVersions.Priced(OptionalLong.of(1_000L * 2_500_000 + 100L * 10_000_000), 2));
    }

    @Test
    void aVersionAddedLaterJoinsAndOneOfTheSameNumberIsReplaced() {
        PriceVersions prices = PriceVersions.none(CallPricer.catalogOnly())
                .with(version(1, "2026-12-01T00:00:00Z", "in-house-llm", 1, 2))
                .with(version(1, "2026-12-01T00:00:00Z", "in-house-llm", 5, 5));
        assertThat(prices.versions()).hasSize(1);
        assertThat(prices.price(null, "in-house-llm", at("2026-12-02T00:00:00Z"), CALL)
                        .picoDollars())
                .hasValue(1_000L * 5_000_000 + 100L * 5_000_000);
    }
}
