package dev.streamlens.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.infra.EmbeddedPostgresServer;
import dev.streamlens.infra.FreePorts;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
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
        assertThat(tenToEleven.estimatedCostUsd())
                .isEqualByComparingTo(a.estimatedCostUsd().add(b.estimatedCostUsd()));
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
        commit(minute("guard", HOUR, 2, "run-1", 100)); // an older revision of the same run
        commit(minute("guard", HOUR, 9, "run-2", 7)); // a run started without state
        assertThat(rows("llm_metrics", "guard")).singleElement().satisfies(r -> {
            assertThat(r.revision()).isEqualTo(3);
            assertThat(r.requests()).isEqualTo(3);
            assertThat(r.jobRun()).isEqualTo("run-1");
        });
        assertThat(rows("llm_metrics_hourly", "guard"))
                .singleElement()
                .satisfies(h -> assertThat(h.requests()).isEqualTo(3));

        // A row written before runs were recorded follows its revision alone.
        try (Connection c = POSTGRES.dataSource().getConnection()) {
            c.createStatement().execute("UPDATE llm_metrics SET job_run = NULL WHERE tenant_id = 'guard'");
        }
        commit(minute("guard", HOUR, 4, "run-2", 7, 8, 9, 10));
        assertThat(rows("llm_metrics", "guard"))
                .singleElement()
                .satisfies(r -> assertThat(r.requests()).isEqualTo(4));
    }

    @Test
    void committingTheSameBatchAgainAfterARestoreChangesNoValue() throws Exception {
        MetricsRow row = minute("again", HOUR.plusSeconds(600), 1, "run-1", 10, 20);
        commit(row);
        List<MetricsRow> before = rows("llm_metrics", "again");
        MetricsRow hourBefore = rows("llm_metrics_hourly", "again").get(0);
        commit(row);
        assertThat(rows("llm_metrics", "again")).usingRecursiveComparison().isEqualTo(before);
        assertThat(rows("llm_metrics_hourly", "again").get(0))
                .usingRecursiveComparison()
                .ignoringFields("revision")
                .isEqualTo(hourBefore);
    }

    @Test
    void theWatermarkIsCommittedWithTheRowsAndNeverMovesBack() throws Exception {
        forgetProgress();
        try (PostgresCommitter committer = committer()) {
            long watermark = HOUR.plusSeconds(120).toEpochMilli() - 1;
            committer.write(List.of(minute("progress", HOUR, 1, "run-1", 10)), watermark);
            assertThat(progress()).containsExactly(watermark, 60_000L, 90_000L);
            // a batch without rows still moves progress (time passed, no traffic)
            committer.write(List.of(), watermark + 60_000);
            assertThat(progress()).containsExactly(watermark + 60_000, 60_000L, 90_000L);
            // an older commit (a restore from an older savepoint) never moves it back
            committer.write(List.of(), watermark);
            assertThat(progress()).containsExactly(watermark + 60_000, 60_000L, 90_000L);
            // the end of time a drained stop sends is no progress
            committer.write(List.of(), Long.MAX_VALUE);
            assertThat(progress()).containsExactly(watermark + 60_000, 60_000L, 90_000L);
        }
        // a checkpoint written before batches carried a watermark restores as rows only
        RowBatch.Serializer serializer = new RowBatch.Serializer();
        byte[] versionOne = dev.streamlens.model.EventJson.mapper()
                .writeValueAsBytes(List.of(minute("progress", HOUR, 1, "run-1", 10)));
        assertThat(serializer.deserialize(1, versionOne).hasWatermark()).isFalse();
        RowBatch batch = new RowBatch(List.of(minute("progress", HOUR, 1, "run-1", 10)), 1234L);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(batch)))
                .usingRecursiveComparison()
                .isEqualTo(batch);
    }

    @Test
    void withSeveralSinkSubtasksTheProgressIsTheLowestOfThem() throws Exception {
        forgetProgress();
        long w = HOUR.plusSeconds(3600).toEpochMilli();
        try (PostgresCommitter first = committer(new PipelineProgress.Subtask(0, 2));
                PostgresCommitter second = committer(new PipelineProgress.Subtask(1, 2))) {
            // The first subtask's rows up to w + 2 min are in; the second has committed nothing yet:
            // the progress may not promise its windows.
            first.write(List.of(), w + 120_000);
            assertThat(progressRows())
                    .as("none until every subtask has committed")
                    .isZero();
            second.write(List.of(), w + 60_000);
            assertThat(progress()).containsExactly(w + 60_000, 60_000L, 90_000L);
            second.write(List.of(), w + 180_000);
            assertThat(progress())
                    .as("the first subtask is now the lowest")
                    .containsExactly(w + 120_000, 60_000L, 90_000L);
        }
        // Rescaled to one subtask: the old subtasks' rows no longer count.
        try (PostgresCommitter only = committer(new PipelineProgress.Subtask(0, 1))) {
            only.write(List.of(), w + 240_000);
            assertThat(progress()).containsExactly(w + 240_000, 60_000L, 90_000L);
        }
    }

    private static void forgetProgress() throws Exception {
        try (Connection c = POSTGRES.dataSource().getConnection()) {
            c.createStatement().execute("DELETE FROM pipeline_progress; DELETE FROM pipeline_progress_subtasks");
        }
    }

    private static int progressRows() throws Exception {
        try (Connection c = POSTGRES.dataSource().getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pipeline_progress")) {
            rs.next();
            return rs.getInt(1);
        }
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
    void theLiveJobAndARecomputeWritingMinutesOfOneHourAtOnceLeaveItTheSumOfBoth() throws Exception {
        MetricsRow live = minute("race", HOUR.plusSeconds(60), 1, "run-live", 100);
        MetricsRow recomputed = minute("race", HOUR.plusSeconds(120), 1, "run-recompute", 200, 300);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Connection recompute = POSTGRES.dataSource().getConnection()) {
            // The recompute has written its minute and holds the hour, not yet committed.
            recompute.setAutoCommit(false);
            try (PreparedStatement replace =
                    recompute.prepareStatement(MetricsRowJdbc.replace(MetricsRowJdbc.MINUTES))) {
                MetricsRowJdbc.bind(replace, recomputed);
                replace.executeUpdate();
            }
            try (PreparedStatement lock = recompute.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, PostgresCommitter.hourLockKey("race", "chat", "gpt-4o", HOUR.toEpochMilli()));
                lock.executeQuery().close();
            }
            // Meanwhile the live job commits a minute of the same hour: it waits for the hour.
            Future<?> liveCommit = writer.submit(() -> {
                commit(live);
                return null;
            });
            Thread.sleep(1_000);
            assertThat(liveCommit).as("waits for the hour's lock").isNotDone();
            recompute.commit();
            liveCommit.get(30, TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
        }
        // Recomputed after the recompute's minute was committed: both minutes are in the hour.
        assertThat(rows("llm_metrics_hourly", "race"))
                .singleElement()
                .satisfies(h -> assertThat(h.requests()).isEqualTo(3));
    }

    @Test
    void whilePostgresIsDownRowsWaitInTheCheckpointsWithoutFailingAndAreWrittenOnceItIsBack() throws Exception {
        Path data = TestDirectories.fresh("postgres-outage");
        EmbeddedPostgresServer server =
                EmbeddedPostgresServer.create(data, FreePorts.pick()).start();
        JdbcTarget target = new JdbcTarget(server.jdbcUrl(), "postgres", "postgres");
        MetricsRow before = minute("outage", HOUR, 1, "run-1", 10);
        MetricsRow during = minute("outage", HOUR.plusSeconds(60), 1, "run-1", 20);
        MetricsRow revised = minute("outage", HOUR.plusSeconds(60), 2, "run-1", 20, 30);
        MetricsRow later = minute("outage", HOUR.plusSeconds(120), 1, "run-1", 40);
        OperatorSubtaskState duringOutage;
        try (var sink = sinkHarness(target)) {
            sink.open();
            sink.processElement(new StreamRecord<>(before));
            sink.processWatermark(new Watermark(HOUR.plusSeconds(60).toEpochMilli() - 1));
            sink.snapshot(1, 1);
            sink.notifyOfCompletedCheckpoint(1);
            assertThat(rows(server, "llm_metrics"))
                    .extracting(MetricsRow::requests)
                    .containsExactly(1L);

            server.stop();
            sink.processElement(new StreamRecord<>(during));
            sink.snapshot(2, 2);
            sink.notifyOfCompletedCheckpoint(2); // fails quietly: the rows wait
            sink.processElement(new StreamRecord<>(revised));
            sink.processWatermark(new Watermark(HOUR.plusSeconds(120).toEpochMilli() - 1));
            duringOutage = sink.snapshot(3, 3);
            sink.notifyOfCompletedCheckpoint(3);

            server.start();
            sink.processElement(new StreamRecord<>(later));
            sink.snapshot(4, 4);
            assertThat(rows(server, "llm_metrics"))
                    .as("nothing before a checkpoint completes")
                    .hasSize(1);
            sink.notifyOfCompletedCheckpoint(4);
            assertThat(rows(server, "llm_metrics"))
                    .extracting(MetricsRow::requests)
                    .containsExactly(1L, 2L, 1L);
            assertThat(rows(server, "llm_metrics_hourly"))
                    .extracting(MetricsRow::requests)
                    .containsExactly(4L);
            assertThat(watermark(server)).isEqualTo(HOUR.plusSeconds(120).toEpochMilli() - 1);
        }

        // A job that failed during the outage restores the rows its checkpoint kept and writes them at once.
        try (Connection c = server.dataSource().getConnection()) {
            c.createStatement().execute("DELETE FROM llm_metrics WHERE tenant_id = 'outage'");
        }
        try (var restored = sinkHarness(target)) {
            restored.initializeState(duringOutage);
            restored.open();
            assertThat(rows(server, "llm_metrics"))
                    .extracting(MetricsRow::revision, MetricsRow::requests)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(2, 2L));
        } finally {
            server.stop();
        }
    }

    private static OneInputStreamOperatorTestHarness<MetricsRow, Void> sinkHarness(JdbcTarget target) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new PostgresMetricsSink(target, TIMING, PostgresCommitter.Mode.LIVE));
    }

    private static List<MetricsRow> rows(EmbeddedPostgresServer server, String table) throws Exception {
        try (Connection c = server.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + MetricsRowJdbc.COLUMNS + " FROM " + table
                        + " WHERE tenant_id = 'outage' ORDER BY window_start");
                ResultSet rs = ps.executeQuery()) {
            List<MetricsRow> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(MetricsRowJdbc.read(rs));
            }
            return rows;
        }
    }

    private static long watermark(EmbeddedPostgresServer server) throws Exception {
        try (Connection c = server.dataSource().getConnection()) {
            return PipelineProgress.watermark(c);
        }
    }

    /** What the committer does for a completed checkpoint holding these rows. */
    private static void commit(MetricsRow... rows) throws Exception {
        try (PostgresCommitter committer = committer()) {
            committer.write(List.of(rows));
        }
    }

    private static PostgresCommitter committer() {
        return committer(PipelineProgress.Subtask.ONLY);
    }

    private static PostgresCommitter committer(PipelineProgress.Subtask subtask) {
        return new PostgresCommitter(
                new JdbcTarget(POSTGRES.jdbcUrl(), "postgres", "postgres"),
                TIMING,
                PostgresCommitter.Mode.LIVE,
                subtask,
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
        return new MetricsRow(
                tenant,
                "chat",
                "gpt-4o",
                start,
                start.plusSeconds(60),
                n,
                1,
                0,
                sum / n,
                sketch.quantile(0.5),
                sketch.quantile(0.95),
                sketch.quantile(0.99),
                10.0,
                20.0,
                10L * n,
                20L * n,
                sum,
                new BigDecimal("0.000001").multiply(BigDecimal.valueOf(n)),
                0,
                sketch.encode(),
                revision,
                run);
    }
}
