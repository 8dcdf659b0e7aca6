package dev.streamlens.model.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The user's entries in front of the catalog. Expected costs are worked out here by hand from the
 * listed prices (USD per million tokens), in pico-dollars: tokens × price × 1e6.
 */
class CallPricerTest {

    private static final long DECEMBER_2026 =
            Instant.parse("2026-12-05T12:00:00Z").toEpochMilli();

    /** StreamLens's earlier table format, as STREAMLENS_PRICING_FILE has always taken it. */
    private static final String TABLE = """
            {"models": {"gpt-4": {"input_per_million": 30, "output_per_million": 60},
                        "gpt-4o": {"input_per_million": 2, "output_per_million": 8},
                        "gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.6},
                        "claude-sonnet-4": {"input_per_million": 3.0, "output_per_million": 15.0,
                                            "cache_read_per_million": 0.3, "cache_write_per_million": 3.75},
                        "mistral-large": {"input_per_million": 2.0, "output_per_million": 6.0}}}
            """;

    private final CallPricer table = CallPricer.withUserEntries(TABLE.getBytes(StandardCharsets.UTF_8), "table");

    private static PriceSet.Usage usage(long prompt, long cached, long written, long completion) {
        return new PriceSet.Usage(prompt, cached, written, completion, 0);
    }

    private long cost(CallPricer pricer, String provider, String model, PriceSet.Usage usage) {
        return pricer.picoDollars(provider, model, DECEMBER_2026, usage).orElseThrow();
    }

    @Test
    void theEarlierTableFormatMatchesTheExactNameThenTheLongestPrefix() {
        PriceSet.Usage call = usage(1_000, 0, 0, 100);
        assertThat(cost(table, null, "gpt-4o", call)).isEqualTo(1_000L * 2_000_000 + 100L * 8_000_000);
        assertThat(cost(table, null, "gpt-4o-2024-08-06", call)).isEqualTo(cost(table, null, "gpt-4o", call));
        assertThat(cost(table, null, "gpt-4o-mini-2024-07-18", call)).isEqualTo(1_000L * 150_000 + 100L * 600_000);
        assertThat(cost(table, null, "gpt-4-0613", call)).isEqualTo(1_000L * 30_000_000 + 100L * 60_000_000);
    }

    @Test
    void theUsersEntriesOverrideTheCatalogWhateverTheProviderAndTheCatalogPricesTheRest() {
        PriceSet.Usage call = usage(1_000, 0, 0, 100);
        // The catalog lists gpt-4o at 2.5 / 10; the file says 2 / 8, also for a call naming openai.
        assertThat(cost(table, "openai", "gpt-4o", call)).isEqualTo(1_000L * 2_000_000 + 100L * 8_000_000);
        assertThat(cost(CallPricer.catalogOnly(), "openai", "gpt-4o", call))
                .isEqualTo(1_000L * 2_500_000 + 100L * 10_000_000);
        // A model the file does not list is the catalog's: o3 at 2 / 8 since 2025-06-10.
        assertThat(cost(table, "openai", "o3", call)).isEqualTo(1_000L * 2_000_000 + 100L * 8_000_000);
        // Neither knows it: unpriced.
        assertThat(table.picoDollars(null, "in-house-llm", DECEMBER_2026, call)).isEqualTo(OptionalLong.empty());
    }

    @Test
    void cachedPromptTokensAreChargedOnceAtTheirOwnPriceElseAtTheInputPrice() {
        // 10,000 prompt tokens, 8,000 read from the cache and 1,000 written, 500 completion tokens:
        // 1,000 x 3 + 8,000 x 0.30 + 1,000 x 3.75 + 500 x 15 per million = 0.016650 USD.
        assertThat(cost(table, null, "claude-sonnet-4-20250514", usage(10_000, 8_000, 1_000, 500)))
                .isEqualTo(new BigDecimal("0.016650").movePointRight(12).longValueExact());
        // No cache prices listed: cached tokens cost the input price.
        assertThat(cost(table, null, "mistral-large", usage(1_000, 900, 0, 0)))
                .isEqualTo(cost(table, null, "mistral-large", usage(1_000, 0, 0, 0)));
    }

    @Test
    void pricesWithMoreThanSixDecimalsAreExactToThePicoDollar() {
        CallPricer fine = CallPricer.withUserEntries("""
                {"models": {"tiny": {"input_per_million": 0.0000001, "output_per_million": 0.18000000000000002}}}
                """.getBytes(StandardCharsets.UTF_8), "fine");
        // 0.0000001 USD per million tokens is 0.1
        // pico-dollars per token: 1,000,000 tokens cost 100,000 pico-dollars; 3 output tokens at
        // 0.18000000000000002 USD per million = 540,000.00000000006 pico-dollars, rounded once.
        assertThat(cost(fine, null, "tiny", usage(1_000_000, 0, 0, 3))).isEqualTo(100_000L + 540_000L);
    }

    @Test
    void aUsersOwnCatalogEntryAppliesToItsProviderAndToAnInHouseModelOfAnyProvider() {
        CallPricer own = CallPricer.withUserEntries("""
                [{"id": "openai", "models": [{"id": "gpt-4o", "match": {"starts_with": "gpt-4o"},
                                              "prices": {"input_mtok": 1, "output_mtok": 4}}]},
                 {"id": "in-house", "models": [{"id": "llama-ft", "match": {"equals": "llama-ft"},
                                                "prices": [{"prices": {"input_mtok": 0.1, "output_mtok": 0.2}},
                                                           {"constraint": {"start_date": "2026-12-01"},
                                                            "prices": {"input_mtok": 0.05, "output_mtok": 0.1}}]}]}]
                """.getBytes(StandardCharsets.UTF_8), "own");
        PriceSet.Usage call = usage(1_000, 0, 0, 100);
        assertThat(cost(own, "openai", "gpt-4o", call)).isEqualTo(1_000L * 1_000_000 + 100L * 4_000_000);
        assertThat(cost(own, "vllm", "llama-ft", call)).isEqualTo(1_000L * 50_000 + 100L * 100_000);
        assertThat(own.picoDollars(
                        null, "llama-ft", Instant.parse("2026-11-30T23:59:59Z").toEpochMilli(), call))
                .hasValue(1_000L * 100_000 + 100L * 200_000);
    }

    @Test
    void aShippedPricerPricesAsTheOneBuilt() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(table);
        }
        CallPricer shipped;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (CallPricer) in.readObject();
        }
        PriceSet.Usage call = usage(12_345, 0, 0, 678);
        assertThat(cost(shipped, "anthropic", "claude-sonnet-4-5", call))
                .isEqualTo(cost(table, "anthropic", "claude-sonnet-4-5", call))
                .isEqualTo(12_345L * 3_000_000 + 678L * 15_000_000);
        assertThat(cost(shipped, null, "gpt-4o", call)).isEqualTo(cost(table, null, "gpt-4o", call));
    }

    @Test
    void anotherCatalogReplacesTheCarriedOne() {
        CallPricer empty = CallPricer.withCatalog("[]".getBytes(StandardCharsets.UTF_8));
        assertThat(empty.picoDollars("openai", "gpt-4o", DECEMBER_2026, usage(1, 0, 0, 1)))
                .isEqualTo(OptionalLong.empty());
        assertThatThrownBy(() -> CallPricer.withCatalog("{\"models\": {}}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("list of providers");
    }

    @Test
    void aBadFileIsRefusedWhereTheJobIsBuiltNamingWhere() {
        assertThatThrownBy(() -> CallPricer.withUserEntries(
                        "{\"models\": {\"x\": {\"input_per_million\": -1, \"output_per_million\": 1}}}"
                                .getBytes(StandardCharsets.UTF_8),
                        "t.json"))
                .hasMessageContaining("t.json")
                .hasMessageContaining("models.x.input_per_million");
        assertThatThrownBy(() -> CallPricer.withUserEntries(
                        "[{\"id\": \"p\", \"models\": [{\"id\": \"m\", \"prices\": {}}]}]"
                                .getBytes(StandardCharsets.UTF_8),
                        "t.json"))
                .hasMessageContaining("t.json")
                .hasMessageContaining("model m");
        assertThatThrownBy(() -> CallPricer.withUserEntries("{}".getBytes(StandardCharsets.UTF_8), "t.json"))
                .hasMessageContaining("\"models\"");
        assertThatThrownBy(() -> CallPricer.withUserEntries("not json".getBytes(StandardCharsets.UTF_8), "t.json"))
                .hasMessageContaining("not JSON");
    }
}
