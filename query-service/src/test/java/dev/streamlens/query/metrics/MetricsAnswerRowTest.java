package dev.streamlens.query.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricColumns;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.Rollup;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The API row is a hand copy of the catalogue's columns ({@link MetricColumns}), kept because the
 * OpenAPI document describes it from its fields: checked here against the catalogue, names and
 * values. Costs come out of NUMERIC(…, 12) columns; the API writes them plainly (0.018, 0, 10),
 * never 0E-12.
 */
class MetricsAnswerRowTest {

    /** Columns a stored row has and the API leaves out: the sums behind averages and the job run. */
    private static final Set<String> NOT_ANSWERED = Set.of("latency_sum_ms", "generation_ms_sum", "job_run");

    @Test
    void anAnswerRowHasEveryColumnOfTheCatalogueButSketchesSummariesAndTheSumsBehindAverages() {
        Set<String> answered = Arrays.stream(MetricsAnswerRow.class.getRecordComponents())
                .map(c -> c.getAccessor().getAnnotation(JsonProperty.class).value())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = MetricColumns.all().stream()
                .filter(c -> c.rollup() != Rollup.Kind.SKETCH && c.rollup() != Rollup.Kind.TOP)
                .map(MetricColumns.Column::name)
                .filter(name -> !NOT_ANSWERED.contains(name))
                .collect(Collectors.toCollection(TreeSet::new));
        expected.add("final");
        assertThat(answered)
                .as("a new column of MetricsRow is answered (or named in NOT_ANSWERED)")
                .isEqualTo(expected);
    }

    @Test
    void anAnswerRowCarriesTheStoredRowsValues() throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        LatencySketch latencies = LatencySketch.create();
        latencies.add(120);
        latencies.add(480);
        LatencySketch ttfts = LatencySketch.create();
        ttfts.add(40);
        Instant start = Instant.parse("2026-11-26T08:27:00Z");
        MetricsRow row = CallTotals.builder()
                .sum("requests", 2L)
                .sum("errors", 1L)
                .sum("timeouts", 3L)
                .sum("latency_sum_ms", 600.0)
                .sum("total_prompt_tokens", 40L)
                .sum("total_completion_tokens", 70L)
                .sum("estimated_cost_usd", new BigDecimal("0.25"))
                .sum("unpriced_requests", 1L)
                .sum("cached_prompt_tokens", 5L)
                .sum("cache_write_tokens", 6L)
                .sum("reasoning_tokens", 7L)
                .sum("streamed_requests", 1L)
                .sum("generation_ms_sum", 350.0)
                .sum("truncated_requests", 1L)
                .sketch("latency_sketch", latencies)
                .sketch("ttft_sketch", ttfts)
                .build()
                .toRow("acme", "chat", "gpt-4", start, start.plusSeconds(60), 4, "run");
        JsonNode stored = json.valueToTree(row);
        JsonNode answered = json.valueToTree(MetricsAnswerRow.of(row, Optional.empty()));
        answered.fieldNames().forEachRemaining(name -> {
            if (name.equals("estimated_cost_usd")) {
                assertThat(answered.get(name).decimalValue())
                        .isEqualByComparingTo(stored.get(name).decimalValue());
            } else {
                assertThat(answered.get(name)).as(name).isEqualTo(stored.get(name));
            }
        });
        assertThat(answered.has("requests")).isTrue();
    }

    @Test
    void costIsWrittenWithoutTrailingZerosOrExponent() throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        assertThat(json.writeValueAsString(view("0.018000000000"))).contains("\"estimated_cost_usd\":0.018,");
        assertThat(json.writeValueAsString(view("0E-12"))).contains("\"estimated_cost_usd\":0,");
        assertThat(json.writeValueAsString(view("10.000000000000"))).contains("\"estimated_cost_usd\":10,");
        assertThat(json.writeValueAsString(view("0.000000075000"))).contains("\"estimated_cost_usd\":0.000000075,");
        assertThat(json.writeValueAsString(view("0.000000000001"))).contains("\"estimated_cost_usd\":0.000000000001,");
    }

    private static MetricsAnswerRow view(String cost) {
        Instant start = Instant.parse("2026-11-26T08:27:00Z");
        return new MetricsAnswerRow(
                "acme",
                "chat",
                "gpt-4",
                start,
                start.plusSeconds(60),
                1,
                0,
                0,
                1200.0,
                1200.0,
                1200.0,
                1200.0,
                100.0,
                250.0,
                100,
                250,
                new BigDecimal(cost),
                0,
                1,
                0,
                0,
                0,
                0,
                null,
                null,
                null,
                0.2,
                0,
                0,
                null);
    }
}
