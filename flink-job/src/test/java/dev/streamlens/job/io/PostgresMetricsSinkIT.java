package dev.streamlens.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import dev.streamlens.testing.PostgresExtension;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The PostgreSQL committer on a real server: minute rows by guarded upsert, hours derived from the
 * minute rows the table holds, a re-commit after a restore harmless, another run's rows untouched.
 */
class PostgresMetricsSinkIT {

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final Instant HOUR = Instant.parse("2025-11-20T10:00:00Z");
    private static final PipelineProgress.Timing TIMING =
            new PipelineProgress.Timing(java.time.Duration.ofMinutes(1), java.time.Duration.ofSeconds(90));

    @Test
    void writesTheRowsAndDerivesEveryHourTheyTouchFromTheHoursMinuteRows() throws Exception {
        MetricsRow a = minute("hours", HOUR.plusSeconds(58 * 60), 1, "run-1", 100, 200, 300);
        MetricsRow b = minute("hours", HOUR.plusSeconds(59 * 60), 1, "run-1", 1000, 2000);
        MetricsRow c = minute("hours", HOUR.plusSeconds(60 * 60), 1, "run-1", 50);
        commit(a, b);
        commit(c);

        assertThat(rows("llm_metrics", "hours")).hasSize(3);
        List<MetricsRow> hours = rows("llm_metrics_hourly", "hours");
        assertThat(hours).hasSize(2);
        MetricsRow tenToEleven = hours.get(0);
        assertThat(tenToEleven.windowStart()).isEqualTo(HOUR);
        assertThat(tenToEleven.windowEnd()).isEqualTo(HOUR.plusSeconds(3600));
        assertThat(tenToEleven.requests()).isEqualTo(5);
        assertThat(tenToEleven.errors()).isEqualTo(a.errors() + b.errors());
        assertThat(tenToEleven.estimatedCostUsd()).isEqualByComparingTo(a.estimatedCostUsd().add(b.estimatedCostUsd()));
        assertThat(tenToEleven.avgLatencyMs()).isEqualTo((100 + 200 + 300 + 1000 + 2000) / 5.0);
        assertThat(LatencySketch.decode(tenToEleven.latencySketch()).count()).isEqualTo(5);
        assertThat(tenToEleven.p95LatencyMs()).isCloseTo(2000.0, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(hours.get(1).requests()).isEqualTo(1);
    }

    @Test
    void aRevisedMinuteReplacesItsRowAndItsHourFollows() throws Exception {
        commit(minute("revised", HOUR, 1, "run-1", 100));
        commit(minute("revised", HOUR, 2, "run-1", 100, 900));

        assertThat(rows("llm_metrics", "revised")).singleElement().satisfies(r -> {
            assertThat(r.revision()).isEqualTo(2);
            assertThat(r.requests()).isEqualTo(2);
        });
        assertThat(rows("llm_metrics_hourly", "revised")).singleElement().satisfies(h -> {
            assertThat(h.requests()).isEqualTo(2);
            assertThat(h.revision()).as("recomputed twice").isEqualTo(2);
        });
    }

    @Test
    void neverReplacesANewerRevisionNorARowAnotherRunWrote() throws Exception {
        commit(minute("guard", HOUR, 3, "run-1", 100, 200, 300));
        commit(minute("guard", HOUR, 2, "run-1", 100));            // an older revision of the same run
        commit(minute("guard", HOUR, 9, "run-2", 7));              // a run started without state
        assertThat(rows("llm_metrics", "guard")).singleElement().satisfies(r -> {
            assertThat(r.revision()).isEqualTo(3);
            assertThat(r.requests()).isEqualTo(3);
            assertThat(r.jobRun()).isEqualTo("run-1");
        });
        assertThat(rows("llm_metrics_hourly", "guard")).singleElement()
                .satisfies(h -> assertThat(h.requests()).isEqualTo(3));

        // A row written before runs were recorded follows its revision alone.
        try (Connection c = POSTGRES.dataSource().getConnection()) {
            c.createStatement().execute("UPDATE llm_metrics SET job_run = NULL WHERE tenant_id = 'guard'");
        }
        commit(minute("guard", HOUR, 4, "run-2", 7, 8, 9, 10));
        assertThat(rows("llm_metrics", "guard")).singleElement().satisfies(r -> assertThat(r.requests()).isEqualTo(4));
    }

    @Test
    void committingTheSameBatchAgainAfterARestoreChangesNoValue() throws Exception {
        MetricsRow row = minute("again", HOUR.plusSeconds(600), 1, "run-1", 10, 20);
        commit(row);
        List<MetricsRow> before = rows("llm_metrics", "again");
        MetricsRow hourBefore = rows("llm_metrics_hourly", "again").get(0);
        commit(row);
        assertThat(rows("llm_metrics", "again")).usingRecursiveComparison().isEqualTo(before);
        assertThat(rows("llm_metrics_hourly", "again").get(0)).usingRecursiveComparison().ignoringFields("revision")
                .isEqualTo(hourBefore);
    }

    @Test
    void theWatermarkIsCommittedWithTheRowsAndNeverMovesBack() throws Exception {
        try (PostgresCommitter committer = committer()) {
            long watermark = HOUR.plusSeconds(120).toEpochMilli() - 1;
            committer.commit(List.of(new Request(new RowBatch(List.of(minute("progress", HOUR, 1, "run-1", 10)),
                    watermark))));
            assertThat(progress()).containsExactly(watermark, 60_000L, 90_000L);
            // a batch without rows still moves progress (time passed, no traffic)
            committer.commit(List.of(new Request(new RowBatch(List.of(), watermark + 60_000))));
            assertThat(progress()).containsExactly(watermark + 60_000, 60_000L, 90_000L);
            // two subtasks' batches, one behind: the furthest wins, and an older commit never moves it back
            committer.commit(List.of(new Request(new RowBatch(List.of(), watermark + 30_000)),
                    new Request(new RowBatch(List.of(), watermark + 90_000))));
            committer.commit(List.of(new Request(new RowBatch(List.of(), watermark))));
            assertThat(progress()).containsExactly(watermark + 90_000, 60_000L, 90_000L);
        }
        // a checkpoint written before batches carried a watermark restores as rows only
        RowBatch.Serializer serializer = new RowBatch.Serializer();
        byte[] versionOne = dev.streamlens.model.EventJson.mapper().writeValueAsBytes(
                List.of(minute("progress", HOUR, 1, "run-1", 10)));
        assertThat(serializer.deserialize(1, versionOne).hasWatermark()).isFalse();
        RowBatch batch = new RowBatch(List.of(minute("progress", HOUR, 1, "run-1", 10)), 1234L);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(batch)))
                .usingRecursiveComparison().isEqualTo(batch);
    }

    private static List<Long> progress() throws Exception {
        try (Connection c = POSTGRES.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT watermark_ms, window_ms, allowed_lateness_ms FROM pipeline_progress");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            List<Long> values = List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            assertThat(rs.next()).as("one row per pipeline").isFalse();
            return values;
        }
    }

    @Test
    void anUnreachableDatabaseAsksFlinkToRetryLater() throws Exception {
        PostgresCommitter committer = new PostgresCommitter(
                new JdbcTarget("jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=1", "postgres", "postgres"),
                TIMING, new UnregisteredMetricsGroup());
        Request request = new Request(new RowBatch(List.of(minute("nowhere", HOUR, 1, "run-1", 1))));
        committer.commit(List.of(request));
        assertThat(request.retried).isTrue();
        committer.close();
    }

    /** What the committer does for a completed checkpoint holding these rows. */
    private static void commit(MetricsRow... rows) throws Exception {
        try (PostgresCommitter committer = committer()) {
            committer.write(List.of(rows));
        }
    }

    private static PostgresCommitter committer() {
        return new PostgresCommitter(new JdbcTarget(POSTGRES.jdbcUrl(), "postgres", "postgres"), TIMING,
                new UnregisteredMetricsGroup());
    }

    private static List<MetricsRow> rows(String table, String tenant) throws Exception {
        try (Connection c = POSTGRES.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + MetricsRowJdbc.COLUMNS + " FROM " + table
                     + " WHERE tenant_id = ? ORDER BY window_start")) {
            ps.setString(1, tenant);
            List<MetricsRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(MetricsRowJdbc.read(rs));
                }
            }
            return rows;
        }
    }

    /** A minute row of calls with these latencies, one error among them, priced at 1 µUSD per call. */
    private static MetricsRow minute(String tenant, Instant start, int revision, String run, double... latencies) {
        LatencySketch sketch = LatencySketch.create();
        double sum = 0;
        for (double latency : latencies) {
            sketch.add(latency);
            sum += latency;
        }
        int n = latencies.length;
        return new MetricsRow(tenant, "chat", "gpt-4o", start, start.plusSeconds(60), n, 1, 0, sum / n,
                sketch.quantile(0.5), sketch.quantile(0.95), sketch.quantile(0.99), 10.0, 20.0, 10L * n, 20L * n, sum,
                new BigDecimal("0.000001").multiply(BigDecimal.valueOf(n)), 0, sketch.encode(), revision, run);
    }

    /** A commit request as Flink hands it over, recording whether the committer asked to retry it. */
    private static final class Request implements Committer.CommitRequest<RowBatch> {
        private final RowBatch batch;
        boolean retried;

        Request(RowBatch batch) {
            this.batch = batch;
        }

        @Override
        public RowBatch getCommittable() {
            return batch;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            throw new AssertionError(t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            throw new AssertionError(t);
        }

        @Override
        public void retryLater() {
            retried = true;
        }

        @Override
        public void updateAndRetryLater(RowBatch committable) {
            retried = true;
        }

        @Override
        public void signalAlreadyCommitted() {
        }
    }
}
