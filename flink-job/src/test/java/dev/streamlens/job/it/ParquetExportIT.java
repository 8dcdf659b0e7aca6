package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job with {@code --export-dir}: the Parquet files it commits, read back with DuckDB (not the
 * library that wrote them), hold every window of llm_metrics once per revision, partitioned by
 * date and tenant, and their newest rows equal the table's, column by column.
 */
class ParquetExportIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(5);

    /** One exported record, as DuckDB reads it; {@code date} and {@code tenant} come from the file's path. */
    private record Exported(
            String tenantId,
            String route,
            String model,
            long windowStart,
            long windowEnd,
            long requests,
            long errors,
            long timeouts,
            long promptTokens,
            long completionTokens,
            BigDecimal cost,
            long unpriced,
            Double p95,
            byte[] latencySketch,
            int revision,
            String jobRun,
            long exportedAt,
            String date,
            String tenant) {}

    @Test
    void theCommittedFilesHoldEveryWindowOfTheTableOncePerRevision() throws Exception {
        long start = Instant.now()
                .minus(40, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toEpochMilli();
        Workload workload =
                Workload.generate(5, 1500, start, Duration.ofMinutes(4).toMillis(), JOIN_TIMEOUT.toMillis(), 3000);
        ExpectedMetrics expected = ExpectedMetrics.of(
                workload, JobRun.PRICES.getBytes(StandardCharsets.UTF_8), 60_000, JOIN_TIMEOUT.toMillis());

        Path work = TestDirectories.fresh("parquet-it");
        Path export = work.resolve("export");
        JobRun.produce(KAFKA.bootstrapServers(), workload.deliveries, 0);
        JobClient job = JobRun.start(
                JobRun.settings(
                        KAFKA.bootstrapServers(),
                        POSTGRES.jdbcUrl(),
                        work,
                        "--export-dir",
                        export.toUri().toString()),
                work);
        try {
            PipelineAssertions.assertMetricsMatch(expected, KAFKA.bootstrapServers(), POSTGRES.dataSource());
            JobRun.awaitNoDifferences(
                    "Parquet export against llm_metrics",
                    () -> differences(exported(export), table()),
                    Duration.ofSeconds(30));
        } finally {
            job.cancel().get();
        }

        List<Exported> records = exported(export);
        assertThat(records)
                .extracting(r -> r.tenantId() + "|" + r.route() + "|" + r.model() + "|" + r.windowStart() + "#"
                        + r.revision() + "@" + r.jobRun())
                .as("each revision of a window once")
                .doesNotHaveDuplicates();
        assertThat(records).allSatisfy(r -> {
            assertThat(r.date())
                    .isEqualTo(LocalDate.ofInstant(Instant.ofEpochMilli(r.windowStart()), ZoneOffset.UTC)
                            .toString());
            assertThat(r.tenant()).isEqualTo(r.tenantId());
        });
        try (Stream<Path> files = Files.walk(export)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(p -> export.relativize(p).toString()))
                    .isNotEmpty()
                    .allMatch(
                            name -> name.matches(
                                    "date=\\d{4}-\\d{2}-\\d{2}/tenant=[a-z]+/(minutes.*\\.parquet|\\..*inprogress.*)"),
                            "date=…/tenant=…/minutes….parquet");
        }
    }

    /** Differences between the newest exported row of each window and the table's row. */
    private static List<String> differences(List<Exported> exported, Map<String, MetricsRow> table) {
        Map<String, Exported> newest = new HashMap<>();
        for (Exported e : exported) {
            newest.merge(
                    e.tenantId() + "|" + e.route() + "|" + e.model() + "|" + e.windowStart(),
                    e,
                    (a, b) -> a.exportedAt() >= b.exportedAt() ? a : b);
        }
        List<String> diffs = new ArrayList<>();
        if (!newest.keySet().equals(table.keySet())) {
            diffs.add("windows differ: " + newest.size() + " exported, " + table.size() + " in the table");
        }
        table.forEach((key, row) -> {
            Exported e = newest.get(key);
            if (e == null) {
                return;
            }
            List<Object> expected = List.of(
                    row.windowEnd().toEpochMilli(),
                    row.requests(),
                    row.errors(),
                    row.timeouts(),
                    row.totalPromptTokens(),
                    row.totalCompletionTokens(),
                    row.unpricedRequests(),
                    row.revision(),
                    Objects.toString(row.jobRun()),
                    Objects.toString(row.p95LatencyMs()));
            List<Object> actual = List.of(
                    e.windowEnd(),
                    e.requests(),
                    e.errors(),
                    e.timeouts(),
                    e.promptTokens(),
                    e.completionTokens(),
                    e.unpriced(),
                    e.revision(),
                    Objects.toString(e.jobRun()),
                    Objects.toString(e.p95()));
            if (!expected.equals(actual)) {
                diffs.add(key + ": table " + expected + ", export " + actual);
            }
            if (row.estimatedCostUsd().compareTo(e.cost()) != 0) {
                diffs.add(key + ": cost " + row.estimatedCostUsd() + " in the table, " + e.cost() + " exported");
            }
            if (!Arrays.equals(row.latencySketch(), e.latencySketch())) {
                diffs.add(key + ": latency sketch differs");
            }
        });
        return diffs;
    }

    private static Map<String, MetricsRow> table() {
        Map<String, MetricsRow> rows = new HashMap<>();
        try (Connection c = POSTGRES.dataSource().getConnection();
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT " + MetricsRowJdbc.COLUMNS + " FROM llm_metrics")) {
            while (rs.next()) {
                MetricsRow row = MetricsRowJdbc.read(rs);
                rows.put(
                        row.tenantId() + "|" + row.route() + "|" + row.model() + "|"
                                + row.windowStart().toEpochMilli(),
                        row);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** Every committed file under the directory, read by DuckDB with the partition columns of its path. */
    private static List<Exported> exported(Path directory) {
        List<Exported> records = new ArrayList<>();
        if (!hasCommittedFile(directory)) {
            return records; // DuckDB would refuse a glob that matches nothing
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                ResultSet rs = duck.createStatement()
                        .executeQuery("SELECT tenant_id, route, model, "
                                + "epoch_ms(window_start), epoch_ms(window_end), requests, errors, timeouts, total_prompt_tokens, "
                                + "total_completion_tokens, estimated_cost_usd, unpriced_requests, p95_latency_ms, latency_sketch, "
                                + "revision, job_run, epoch_ms(exported_at), CAST(date AS VARCHAR), tenant "
                                + "FROM read_parquet('" + directory + "/**/*.parquet', hive_partitioning = true)")) {
            while (rs.next()) {
                records.add(new Exported(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7),
                        rs.getLong(8),
                        rs.getLong(9),
                        rs.getLong(10),
                        rs.getBigDecimal(11),
                        rs.getLong(12),
                        (Double) rs.getObject(13),
                        rs.getBytes(14),
                        rs.getInt(15),
                        rs.getString(16),
                        rs.getLong(17),
                        rs.getString(18),
                        rs.getString(19)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return records;
    }

    /** Whether a checkpoint has committed a file yet (files in progress are hidden and end otherwise). */
    private static boolean hasCommittedFile(Path directory) {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet")
                    && !f.getFileName().toString().startsWith("."));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
