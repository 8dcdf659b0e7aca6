package dev.streamlens.model.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The bundled genai-prices catalog read and priced as the catalog defines it. Expected costs are
 * worked out by hand here from the catalog's published prices (USD per million tokens), in
 * pico-dollars: tokens × price × 1e6.
 */
class PriceCatalogTest {

    private static final PriceCatalog CATALOG = PriceCatalog.bundled();
    private static final Instant DECEMBER_2026 = Instant.parse("2026-12-05T12:00:00Z");

    @Test
    void theWholeFeedIsRead() {
        assertThat(CATALOG.providerCount()).isEqualTo(36);
        assertThat(CATALOG.modelCount()).isEqualTo(1466);
    }

    @Test
    void aDatedChangeTakesEffectAtUtcMidnightAndTiersPriceEveryTokenOfTheCall() {
        PriceCatalog.CatalogModel sonnet =
                CATALOG.find("anthropic", "claude-sonnet-4-6").orElseThrow();
        PriceSet.Usage longPrompt = new PriceSet.Usage(200_001, 0, 0, 1_000, 0);
        // Until 2026-03-12: above 200,000 prompt tokens every token at the tier (input 6, output 22.5).
        assertThat(sonnet.prices().at(Instant.parse("2026-03-12T23:59:59Z")).picoDollars(longPrompt))
                .isEqualTo(200_001L * 6_000_000 + 1_000L * 22_500_000);
        // From 2026-03-13: flat (input 3, output 15).
        assertThat(sonnet.prices().at(Instant.parse("2026-03-13T00:00:00Z")).picoDollars(longPrompt))
                .isEqualTo(200_001L * 3_000_000 + 1_000L * 15_000_000);
        // 200,000 is not above the tier's start.
        assertThat(sonnet.prices()
                        .at(Instant.parse("2026-03-01T00:00:00Z"))
                        .picoDollars(new PriceSet.Usage(200_000, 0, 0, 0, 0)))
                .isEqualTo(200_000L * 3_000_000);
    }

    @Test
    void cacheReadsAndWritesArePartsOfThePromptChargedAtTheirOwnPrices() {
        PriceSet before = CATALOG.find("anthropic", "claude-sonnet-4-6")
                .orElseThrow()
                .prices()
                .at(Instant.parse("2026-03-01T00:00:00Z"));
        // 250,000 prompt tokens, 100,000 of them cache reads: all at the tier (6, 0.6, 22.5).
        assertThat(before.picoDollars(new PriceSet.Usage(250_000, 100_000, 0, 1_000, 0)))
                .isEqualTo(150_000L * 6_000_000 + 100_000L * 600_000 + 1_000L * 22_500_000);
        PriceSet gemini =
                CATALOG.find("google", "gemini-2.5-pro").orElseThrow().prices().at(DECEMBER_2026);
        assertThat(gemini.picoDollars(new PriceSet.Usage(200_001, 150_000, 0, 1_000, 0)))
                .isEqualTo(50_001L * 2_500_000 + 150_000L * 250_000 + 1_000L * 15_000_000);
        // Under the tier, with cache writes (3.75) as well: input 3, read 0.3, write 3.75, output 15.
        PriceSet sonnet45 = CATALOG.find("anthropic", "claude-sonnet-4-5-20250929")
                .orElseThrow()
                .prices()
                .at(DECEMBER_2026);
        assertThat(sonnet45.picoDollars(new PriceSet.Usage(10_000, 4_000, 1_000, 500, 0)))
                .isEqualTo(5_000L * 3_000_000 + 4_000L * 300_000 + 1_000L * 3_750_000 + 500L * 15_000_000);
    }

    @Test
    void aPartTheModelHasNoPriceForIsChargedAsItsWhole() {
        // o3 has no cache-write price: written tokens are input tokens; 2 and 8 from 2025-06-10, 10 and 40 before.
        PriceCatalog.CatalogModel o3 = CATALOG.find("openai", "o3").orElseThrow();
        PriceSet.Usage usage = new PriceSet.Usage(1_000, 0, 300, 1_000, 500);
        assertThat(o3.prices().at(Instant.parse("2025-06-10T00:00:00Z")).picoDollars(usage))
                .isEqualTo(1_000L * 2_000_000 + 1_000L * 8_000_000);
        assertThat(o3.prices().at(Instant.parse("2025-06-09T23:59:59Z")).picoDollars(usage))
                .isEqualTo(1_000L * 10_000_000 + 1_000L * 40_000_000);
    }

    @Test
    void aPricePerRequestAndAnOffPeakPriceAreApplied() {
        // perplexity sonar: 12 USD per thousand requests, whatever the tokens.
        PriceSet sonar =
                CATALOG.find("perplexity", "sonar").orElseThrow().prices().at(DECEMBER_2026);
        assertThat(sonar.picoDollars(new PriceSet.Usage(0, 0, 0, 0, 0))).isEqualTo(12_000_000_000L);
        // deepseek-chat: 0.27 between 00:30 and 16:30 UTC, else the first entry's 0.135.
        DatedPrices deepseek =
                CATALOG.find("deepseek", "deepseek-chat").orElseThrow().prices();
        PriceSet.Usage million = new PriceSet.Usage(1_000_000, 0, 0, 0, 0);
        assertThat(deepseek.at(Instant.parse("2026-12-05T12:00:00Z")).picoDollars(million))
                .isEqualTo(270_000_000_000L);
        assertThat(deepseek.at(Instant.parse("2026-12-05T20:00:00Z")).picoDollars(million))
                .isEqualTo(135_000_000_000L);
    }

    @Test
    void theProviderNarrowsTheMatchAndAnUnknownOneLeavesItToTheModelId() {
        assertThat(CATALOG.find(null, "gpt-5").orElseThrow().provider()).isEqualTo("openai");
        assertThat(CATALOG.find("azure", "gpt-5").orElseThrow().provider()).isEqualTo("azure");
        assertThat(CATALOG.find("aws.bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0")
                        .orElseThrow()
                        .provider())
                .isEqualTo("aws");
        assertThat(CATALOG.find("xai", "grok-4").orElseThrow().provider()).isEqualTo("x-ai");
        assertThat(CATALOG.find("GROQ", "llama-3.3-70b-versatile")).isPresent();
        assertThat(CATALOG.find(null, "llama-3.3-70b-versatile"))
                .as("groq has no model_match")
                .isEmpty();
        assertThat(CATALOG.find("x_ai", "grok-4").orElseThrow().provider())
                .as("an unknown provider id: as without one")
                .isEqualTo("x-ai");
        assertThat(CATALOG.find("ollama", "llama-3.3-70b-versatile")).isEmpty();
        assertThat(CATALOG.find("openai", "in-house-llm")).isEmpty();
    }

    @Test
    void aCatalogThatBreaksTheFormatIsRefusedNamingWhere() {
        ObjectMapper json = new ObjectMapper();
        assertThatThrownBy(() -> PriceCatalog.of(json.readTree("{\"id\": \"x\"}")))
                .hasMessageContaining("a list of providers");
        assertThatThrownBy(() -> PriceCatalog.of(json.readTree("""
                        [{"id": "acme", "name": "Acme", "api_pattern": "x", "models": [
                          {"id": "m1", "match": {"like": "m1"}, "prices": {"input_mtok": 1}}]}]""")))
                .hasMessageContaining("provider acme model m1: unknown match rule like");
        assertThatThrownBy(() -> PriceCatalog.of(json.readTree("""
                        [{"id": "acme", "name": "Acme", "api_pattern": "x", "models": [
                          {"id": "m1", "match": {"equals": "m1"}, "prices": {"input_mtok": -1}}]}]""")))
                .hasMessageContaining("provider acme model m1 input_mtok: a price is a number >= 0");
    }
}
