package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalogue of metric columns read from {@link MetricsRow}, and that the rollups follow it. */
class MetricColumnsTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void everyComponentOfAMetricsRowIsAColumnNamedAsItsJsonProperty() {
        assertThat(MetricColumns.all()).hasSize(MetricsRow.class.getRecordComponents().length);
        assertThat(MetricColumns.all())
                .extracting(MetricColumns.Column::name)
                .doesNotHaveDuplicates()
                .startsWith("tenant_id", "route", "model", "window_start", "window_end")
                .contains("requests", "latency_sketch", "output_tokens_per_second");
        assertThat(MetricColumns.rolledUpBy(Rollup.Kind.KEY))
                .extracting(MetricColumns.Column::name)
                .containsExactly("tenant_id", "route", "model", "window_start");
        assertThat(MetricsRowJdbc.COLUMNS.split(", "))
                .hasSize(MetricColumns.all().size());
    }

    @Test
    void summingRowsAddsUpEverySummedColumnAndMergesEverySketch() {
        MetricsRow a = row(1);
        MetricsRow b = row(10);
        MetricsRow total = CallTotals.sum(List.of(a, b)).toRow("acme", "/chat", "m", T0, T0.plusSeconds(3600), 1, null);
        for (MetricColumns.Column column : MetricColumns.rolledUpBy(Rollup.Kind.SUM)) {
            Object sum = column.of(total);
            Object expected;
            if (sum instanceof Long) {
                expected = (Long) column.of(a) + (Long) column.of(b);
            } else if (sum instanceof Double) {
                expected = (Double) column.of(a) + (Double) column.of(b);
            } else if (sum instanceof BigDecimal) {
                expected = ((BigDecimal) column.of(a)).add((BigDecimal) column.of(b));
            } else {
                throw new AssertionError(column.name() + " has an unexpected type " + sum.getClass());
            }
            assertThat(sum).as(column.name()).isEqualTo(expected);
        }
        for (MetricColumns.Column column : MetricColumns.rolledUpBy(Rollup.Kind.HIGHEST)) {
            assertThat(column.of(total)).as(column.name()).isEqualTo(Math.max((Long) column.of(a), (Long)
                    column.of(b)));
        }
        assertThat(total.priceVersion()).isEqualTo(410);
        for (MetricColumns.Column column : MetricColumns.rolledUpBy(Rollup.Kind.SKETCH)) {
            LatencySketch merged = LatencySketch.decode((byte[]) column.of(total));
            assertThat(merged.count())
                    .as(column.name())
                    .isEqualTo(LatencySketch.decode((byte[]) column.of(a)).count()
                            + LatencySketch.decode((byte[]) column.of(b)).count());
        }
        for (MetricColumns.Column column : MetricColumns.rolledUpBy(Rollup.Kind.TOP)) {
            var merged = dev.streamlens.model.attribution.Contributors.decode((byte[]) column.of(total));
            var requests = dev.streamlens.model.attribution.Contributors.Figure.REQUESTS;
            String prefix = switch (column.name()) {
                case "top_users" -> "user";
                case "top_sessions" -> "session";
                default -> "feature=search";
            };
            assertThat(merged.total(requests)).as(column.name()).isEqualTo(1 + 1 + 10 + 1);
            assertThat(merged.heaviest(requests, 3))
                    .extracting(c -> c.id() + "=" + c.counted(requests))
                    .as(column.name())
                    .containsExactly(prefix + "-10=10", "=2", prefix + "-1=1");
        }
        assertThat(MetricColumns.rolledUpBy(Rollup.Kind.TOP))
                .extracting(MetricColumns.Column::name)
                .containsExactly("top_users", "top_sessions", "top_tags");
    }

    @Test
    void totalsAreSetByColumnNameAndDeriveTheRowsFigures() {
        LatencySketch latencies = LatencySketch.create();
        latencies.add(100);
        latencies.add(400);
        MetricsRow row = CallTotals.builder()
                .sum("requests", 2L)
                .sum("latency_sum_ms", 500.0)
                .sum("total_prompt_tokens", 30L)
                .sum("total_completion_tokens", 50L)
                .sum("generation_ms_sum", 250.0)
                .sketch("latency_sketch", latencies)
                .build()
                .toRow("acme", "/chat", "m", T0, T0.plusSeconds(60), 3, "run");
        assertThat(row.requests()).isEqualTo(2);
        assertThat(row.avgLatencyMs()).isEqualTo(250.0);
        assertThat(row.avgPromptTokens()).isEqualTo(15.0);
        assertThat(row.avgCompletionTokens()).isEqualTo(25.0);
        assertThat(row.outputTokensPerSecond()).isEqualTo(200.0);
        assertThat(row.p99LatencyMs()).isCloseTo(400.0, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(row.p50TtftMs()).as("no streamed calls").isNull();
        assertThat(row.ttftSketch()).isNull();
        assertThat(row.estimatedCostUsd()).isEqualByComparingTo("0");
        assertThat(row.revision()).isEqualTo(3);
        assertThat(row.jobRun()).isEqualTo("run");
        assertThat(row.windowEnd()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void totalsRefuseAnUnknownColumnOrAValueOfTheWrongKind() {
        assertThatThrownBy(() -> CallTotals.builder().sum("requests", 1)).hasMessageContaining("requests takes a Long");
        assertThatThrownBy(() -> CallTotals.builder().sum("avg_latency_ms", 1.0))
                .hasMessageContaining("no such column");
        assertThatThrownBy(() -> CallTotals.builder().sketch("requests", LatencySketch.create()))
                .hasMessageContaining("no such column");
    }

    /** {@code k} calls of one id per row ({@code prefix-k}), and one without an id. */
    private static dev.streamlens.model.attribution.Contributors contributors(String prefix, int k) {
        var summary = dev.streamlens.model.attribution.Contributors.forRow();
        for (int i = 0; i < k; i++) {
            summary.add(prefix + "-" + k, 1_000L * (i + 1), 10, i == 0);
        }
        summary.add(null, 5, 1, false);
        return summary;
    }

    /** A row whose every summed value differs from the other row's (scaled by {@code k}). */
    private static MetricsRow row(int k) {
        LatencySketch latencies = LatencySketch.create();
        LatencySketch ttfts = LatencySketch.create();
        for (int i = 0; i < k; i++) {
            latencies.add(100.0 * (i + 1));
            ttfts.add(10.0 * (i + 1));
        }
        return new MetricsRow(
                "acme",
                "/chat",
                "m",
                T0,
                T0.plusSeconds(60),
                3L * k,
                k,
                2L * k,
                null,
                null,
                null,
                null,
                null,
                null,
                5L * k,
                7L * k,
                11.5 * k,
                new BigDecimal("0.013").multiply(BigDecimal.valueOf(k)),
                13L * k,
                latencies.encode(),
                1,
                "run",
                17L * k,
                19L * k,
                23L * k,
                29L * k,
                null,
                null,
                null,
                ttfts.encode(),
                31.25 * k,
                null,
                37L * k,
                41L * k,
                contributors("user", k).encode(),
                contributors("session", k).encode(),
                contributors("feature=search", k).encode());
    }
}
