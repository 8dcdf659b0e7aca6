package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A burst of late calls re-emits one window many times within a few milliseconds; the exported
 * rows must still say which is newest. The warehouse query of docs/RETENTION.md (newest
 * {@code exported_at} per window) must pick the row PostgreSQL holds.
 */
class ParquetExportBurstIT {

    private static final String TENANT = "burst";
    private static final int LATE_CALLS = 20;

    @RegisterExtension
    final TestStack stack = new TestStack();

    /** One exported revision of the burst's window, as DuckDB reads it. */
    private record Exported(long requests, int revision, long exportedAt) {}

    @Test
    void aBurstOfTwentyLateCallsLeavesTheNewestRowNewestInTheExport() throws Exception {
        Path export = stack.work.resolve("export");
        List<String> options = LiveTraffic.jobOptions(
                "--allowed-lateness", "60s", "--export-dir", export.toUri().toString());
        try (JobProcess job = JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), options)) {
            long window = LiveTraffic.WINDOW.toMillis();
            long start = (System.currentTimeMillis() / window + 1) * window;
            TimeUnit.MILLISECONDS.sleep(start + 100 - System.currentTimeMillis());
            send("on-time", start + 100);
            JobRun.awaitNoDifferences(
                    "the window's first row",
                    () -> requestsInTable(start) == 1 ? List.of() : List.of("not there yet"),
                    Duration.ofSeconds(30));

            // Twenty late calls for the window, at once: the window fires a revision for each batch
            // that reaches it, several within a millisecond.
            for (int i = 0; i < LATE_CALLS; i++) {
                send("late-" + i, start + 200 + i);
            }
            JobRun.awaitNoDifferences(
                    "the window's row in PostgreSQL",
                    () -> requestsInTable(start) == 1 + LATE_CALLS
                            ? List.of()
                            : List.of(requestsInTable(start) + " requests"),
                    Duration.ofSeconds(30));
            JobRun.awaitNoDifferences(
                    "the newest exported row",
                    () -> {
                        List<Exported> rows = exported(export, start);
                        Exported newest = rows.stream()
                                .max(java.util.Comparator.comparingLong(Exported::exportedAt))
                                .orElse(null);
                        return newest != null && newest.requests() == 1 + LATE_CALLS
                                ? List.of()
                                : List.of("newest " + newest);
                    },
                    Duration.ofSeconds(30));

            List<Exported> rows = exported(export, start);
            assertThat(rows)
                    .extracting(Exported::revision)
                    .as("revisions exported once each")
                    .doesNotHaveDuplicates();
            assertThat(rows)
                    .extracting(Exported::exportedAt)
                    .as("exported_at tells every revision apart")
                    .doesNotHaveDuplicates();
            Exported highest = rows.stream()
                    .max(java.util.Comparator.comparingInt(Exported::revision))
                    .orElseThrow();
            assertThat(rows.stream()
                            .max(java.util.Comparator.comparingLong(Exported::exportedAt))
                            .orElseThrow())
                    .as("the newest by exported_at is the highest revision")
                    .isEqualTo(highest);
            assertThat(job.failures()).isEmpty();
        }
    }

    private void send(String id, long requestTs) throws Exception {
        stack.traffic().sendRequest(new Workload.Request(id, TENANT, "chat", "gpt-4o", requestTs, 10));
        stack.traffic().sendResponse(new Workload.Response(id, requestTs + 50, 50.0, 20, null));
    }

    private long requestsInTable(long windowStart) {
        try (Connection c = stack.postgres().getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT coalesce(sum(requests), 0) FROM llm_metrics " + "WHERE tenant_id = '"
                                + TENANT + "' AND window_start = to_timestamp(" + windowStart + " / 1000.0)")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * The committed exported rows of the burst's window, read by DuckDB. Only that window: under a
     * loaded machine another window of the tenant may be exported too (a timeout's), and it says
     * nothing about this one.
     */
    private static List<Exported> exported(Path directory, long windowStart) {
        List<Exported> rows = new ArrayList<>();
        try (Stream<Path> files = Files.walk(directory)) {
            if (files.noneMatch(p -> p.getFileName().toString().endsWith(".parquet")
                    && !p.getFileName().toString().startsWith("."))) {
                return rows;
            }
        } catch (Exception e) {
            return rows;
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                ResultSet rs = duck.createStatement()
                        .executeQuery("SELECT requests, revision, epoch_ms(exported_at) "
                                + "FROM read_parquet('" + directory + "/**/*.parquet', hive_partitioning = true) "
                                + "WHERE tenant_id = '" + TENANT + "' AND epoch_ms(window_start) = " + windowStart)) {
            while (rs.next()) {
                rows.add(new Exported(rs.getLong(1), rs.getInt(2), rs.getLong(3)));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }
}
