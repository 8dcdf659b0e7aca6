package dev.streamlens.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamlens.job.MetricsPipeline;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.CallPricer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The SQL peer of the job benchmark computes the same numbers as the job where their semantics
 * overlap (answered calls, no duplicates or timeouts in the synthetic events): requests, errors,
 * token sums and cost per series and window exactly, p95 within the sketch's accuracy. A peer that
 * computed something else would make the benchmark's ratio meaningless.
 */
class SqlPeerAgreementTest {

    /** 200 s of event time: four one-minute windows of 200 series. */
    private static final long PAIRS = 200_000;

    @Test
    void theSqlPeerAndTheJobAgreeOnWhatBothCompute() throws Exception {
        Map<String, Row> sql = new HashMap<>();
        StreamExecutionEnvironment sqlEnv =
                StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
        SqlPeer.Peer peer = SqlPeer.build(
                sqlEnv,
                JobThroughputBenchmark.withEventTime(JobThroughputBenchmark.parsed(sqlEnv, Topics.REQUESTS, PAIRS)),
                JobThroughputBenchmark.withEventTime(JobThroughputBenchmark.parsed(sqlEnv, Topics.RESPONSES, PAIRS)),
                true);
        System.out.println(peer.plan());
        assertThat(peer.plan())
                .as("an interval join, and the window aggregation in two phases (local, global)")
                .contains("IntervalJoin")
                .contains("LocalWindowAggregate")
                .contains("GlobalWindowAggregate");
        try (CloseableIterator<Row> rows = peer.rows().executeAndCollect()) {
            rows.forEachRemaining(row -> sql.put(
                    key(
                            row.getFieldAs("tenant_id"),
                            row.getFieldAs("route"),
                            row.getFieldAs("model"),
                            windowStart(row.getField("window_start"))),
                    row));
        }

        Map<String, MetricsRow> job = new HashMap<>();
        StreamExecutionEnvironment jobEnv =
                StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
        MetricsPipeline.Outputs out = MetricsPipeline.build(
                JobThroughputBenchmark.withEventTime(JobThroughputBenchmark.parsed(jobEnv, Topics.REQUESTS, PAIRS)),
                JobThroughputBenchmark.withEventTime(JobThroughputBenchmark.parsed(jobEnv, Topics.RESPONSES, PAIRS)),
                new MetricsPipeline.Timing(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(1)),
                CallPricer.catalogOnly());
        try (CloseableIterator<MetricsRow> rows = out.rows().executeAndCollect()) {
            rows.forEachRemaining(row -> job.merge(
                    key(row.tenantId(), row.route(), row.model(), row.windowStart()),
                    row,
                    (a, b) -> a.revision() >= b.revision() ? a : b));
        }

        assertThat(job).as("windows of 200 series over 200 s").hasSizeGreaterThan(600);
        assertThat(sql.keySet()).isEqualTo(job.keySet());
        for (Map.Entry<String, MetricsRow> entry : job.entrySet()) {
            MetricsRow ours = entry.getValue();
            Row theirs = sql.get(entry.getKey());
            assertThat(ours.timeouts())
                    .as("no call of the synthetic events times out")
                    .isZero();
            assertThat((long) theirs.getFieldAs("requests"))
                    .as("requests of %s", entry.getKey())
                    .isEqualTo(ours.requests());
            assertThat(((Number) theirs.getField("errors")).longValue())
                    .as("errors of %s", entry.getKey())
                    .isEqualTo(ours.errors());
            assertThat((long) theirs.getFieldAs("prompt_tokens")).isEqualTo(ours.totalPromptTokens());
            assertThat((long) theirs.getFieldAs("completion_tokens")).isEqualTo(ours.totalCompletionTokens());
            BigDecimal cost = theirs.getFieldAs("cost_usd");
            assertThat(ours.unpricedRequests())
                    .as("every synthetic model has a price")
                    .isZero();
            assertThat(cost).as("cost of %s", entry.getKey()).isEqualByComparingTo(ours.estimatedCostUsd());
            double exactP95 = theirs.getFieldAs("p95_latency_ms");
            assertThat(ours.p95LatencyMs())
                    .as("p95 of %s (sketch vs exact)", entry.getKey())
                    .isCloseTo(exactP95, within(0.02 * exactP95 + 1));
        }
    }

    private static String key(String tenant, String route, String model, Instant windowStart) {
        return tenant + "|" + route + "|" + model + "|" + windowStart;
    }

    private static Instant windowStart(Object value) {
        return value instanceof LocalDateTime local ? local.toInstant(java.time.ZoneOffset.UTC) : (Instant) value;
    }
}
