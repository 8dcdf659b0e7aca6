package dev.streamlens.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarkResultsTest {

    private static final List<BenchmarkResults.Figure> FIGURES = List.of(
            new BenchmarkResults.Figure("ingest", "/health", 20_000, "req/s", ""),
            new BenchmarkResults.Figure("ingest", "single events", 15_000, "events/s", "/health"),
            new BenchmarkResults.Figure("job", "pipeline, rocksdb", 100_000, "events/s", "keyedPairing, rocksdb"),
            new BenchmarkResults.Figure("job", "keyedPairing, rocksdb", 250_000, "events/s", ""));

    @Test
    void eachFigureCarriesItsSameRunBaselineAndTheRatio() {
        JsonNode result = BenchmarkResults.toJson(FIGURES, "abc1234", Map.of("cores", 2));
        assertThat(result.path("commit").asText()).isEqualTo("abc1234");
        JsonNode single = result.path("figures").get(1);
        assertThat(single.path("baseline").asText()).isEqualTo("/health");
        assertThat(single.path("baseline_value").asDouble()).isEqualTo(20_000);
        assertThat(single.path("ratio").asDouble()).isEqualTo(0.75);
        assertThat(result.path("figures").get(2).path("ratio").asDouble()).isEqualTo(0.4); // baseline recorded later
        assertThat(result.path("figures").get(0).has("ratio")).isFalse();
    }

    @Test
    void aBaselineThatWasNotRecordedIsAnError() {
        assertThatThrownBy(() -> BenchmarkResults.toJson(
                        List.of(new BenchmarkResults.Figure("query", "seed call", 1_000, "req/s", "/health")),
                        "c",
                        Map.of()))
                .hasMessageContaining("/health");
    }

    @Test
    void theComparisonPutsRatiosFirstAndSetsEachFigureBesideThePreviousOne() {
        JsonNode before = BenchmarkResults.toJson(
                List.of(
                        new BenchmarkResults.Figure("ingest", "/health", 10_000, "req/s", ""),
                        new BenchmarkResults.Figure("ingest", "single events", 5_000, "events/s", "/health")),
                "old",
                Map.of());
        String table =
                BenchmarkResults.comparison(BenchmarkResults.toJson(FIGURES, "new", Map.of()), before, "old.json");
        assertThat(table.indexOf("ratio:")).isLessThan(table.indexOf("| benchmark | figure |"));
        assertThat(table)
                .contains("| ingest: single events ÷ /health | 0.75 | 0.50 |")
                .contains("| ingest | single events | 15,000 events/s | 5,000 | 3.00 |")
                .contains("| job | pipeline, rocksdb | 100,000 events/s | — | — |");
    }

    @Test
    void aRatioAgainstAnotherBaselineBeforeIsNotSetBesideThisOne() {
        JsonNode before = BenchmarkResults.toJson(
                List.of(
                        new BenchmarkResults.Figure("ingest", "/health", 10_000, "req/s", ""),
                        new BenchmarkResults.Figure("ingest", "batched events", 90_000, "events/s", ""),
                        new BenchmarkResults.Figure("ingest", "single events", 5_000, "events/s", "batched events")),
                "old",
                Map.of());
        String table =
                BenchmarkResults.comparison(BenchmarkResults.toJson(FIGURES, "new", Map.of()), before, "old.json");
        assertThat(table).contains("| ingest: single events ÷ /health | 0.75 | — |");
    }
}
