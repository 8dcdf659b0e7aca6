package dev.streamlens.bench;

import dev.streamlens.job.io.JdbcTarget;
import dev.streamlens.job.io.PipelineProgress;
import dev.streamlens.job.io.PostgresCommitter;
import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * What writing window rows costs PostgreSQL, in the same run on the same rows: one hour of
 * 1-minute rows for {@code series} series, delivered a minute at a time (all series' rows of a
 * minute close together, as with a 1-minute window and a 10 s checkpoint interval).
 * <ul>
 *   <li>{@code upsert}: the previous write, minus its hourly rows (batches of 500 upserts, autocommit);</li>
 *   <li>{@code upsert + hour row per minute}: the previous write as it was (the job's hourly
 *       rollup emitted the hour's row again with every minute row);</li>
 *   <li>{@code committer}: this round's write (one transaction per checkpoint: the minute rows,
 *       then each touched hour recomputed from its minute rows in the table).</li>
 * </ul>
 * Usage: {@code PostgresWriteBenchmark <jdbc-url> [series] [rounds]}; prints minute rows per second.
 */
public final class PostgresWriteBenchmark {

    private PostgresWriteBenchmark() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int series = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<List<MetricsRow>> minutes = generate(series, Instant.parse("2025-11-20T10:00:00Z"));
        System.out.printf("%d series, 60 minutes: %,d minute rows per variant and round%n", series, series * 60);
        for (int round = 1; round <= rounds; round++) {
            double plain = measure(url, () -> upserts(url, minutes, false));
            double withHours = measure(url, () -> upserts(url, minutes, true));
            double committer = measure(url, () -> committer(url, minutes));
            System.out.printf(
                    "round %d: upsert %,.0f rows/s | upsert + hour row per minute %,.0f rows/s | "
                            + "committer %,.0f rows/s (%.2fx the previous write)%n",
                    round, plain, withHours, committer, committer / withHours);
        }
    }

    private interface Write {
        void run() throws Exception;
    }

    private static double measure(String url, Write write) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
            c.createStatement().execute("TRUNCATE llm_metrics, llm_metrics_hourly");
            c.createStatement().execute("VACUUM ANALYZE llm_metrics");
        }
        long started = System.nanoTime();
        write.run();
        double seconds = (System.nanoTime() - started) / 1e9;
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
            var rs = c.createStatement().executeQuery("SELECT count(*) FROM llm_metrics");
            rs.next();
            return rs.getLong(1) / seconds;
        }
    }

    /** The previous sink: batches of 500 upserts, autocommit; optionally the hour's row with each minute. */
    private static void upserts(String url, List<List<MetricsRow>> minutes, boolean hourRowPerMinute) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                PreparedStatement minute = c.prepareStatement(MetricsRowJdbc.upsert(MetricsRowJdbc.MINUTES));
                PreparedStatement hour = c.prepareStatement(MetricsRowJdbc.upsert(MetricsRowJdbc.HOURS))) {
            List<List<MetricsRow>> seen = new ArrayList<>();
            int batched = 0;
            for (List<MetricsRow> rows : minutes) {
                seen.add(rows);
                for (int s = 0; s < rows.size(); s++) {
                    MetricsRowJdbc.bind(minute, rows.get(s));
                    minute.addBatch();
                    if (hourRowPerMinute) {
                        List<MetricsRow> ofSeries = new ArrayList<>();
                        for (List<MetricsRow> earlier : seen) {
                            ofSeries.add(earlier.get(s));
                        }
                        MetricsRow r = rows.get(s);
                        MetricsRowJdbc.bind(
                                hour,
                                CallTotals.sum(ofSeries)
                                        .toRow(
                                                r.tenantId(),
                                                r.route(),
                                                r.model(),
                                                Instant.parse("2025-11-20T10:00:00Z"),
                                                Instant.parse("2025-11-20T11:00:00Z"),
                                                seen.size(),
                                                r.jobRun()));
                        hour.addBatch();
                    }
                    if (++batched % 500 == 0) {
                        minute.executeBatch();
                        if (hourRowPerMinute) {
                            hour.executeBatch();
                        }
                    }
                }
            }
            minute.executeBatch();
            if (hourRowPerMinute) {
                hour.executeBatch();
            }
        }
    }

    /** This round's sink: one commit per checkpoint, holding the rows of the minute that closed. */
    private static void committer(String url, List<List<MetricsRow>> minutes) throws Exception {
        try (PostgresCommitter committer = new PostgresCommitter(
                new JdbcTarget(url, "postgres", "postgres"),
                new PipelineProgress.Timing(java.time.Duration.ofMinutes(1), java.time.Duration.ofMinutes(1)),
                new UnregisteredMetricsGroup())) {
            for (List<MetricsRow> rows : minutes) {
                committer.write(rows);
            }
        }
    }

    private static List<List<MetricsRow>> generate(int series, Instant hour) {
        Random random = new Random(1);
        List<List<MetricsRow>> minutes = new ArrayList<>();
        for (int m = 0; m < 60; m++) {
            Instant start = hour.plusSeconds(60L * m);
            List<MetricsRow> rows = new ArrayList<>();
            for (int s = 0; s < series; s++) {
                LatencySketch sketch = LatencySketch.create();
                int n = 1 + random.nextInt(50);
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    double latency = 50 + random.nextInt(3000);
                    sketch.add(latency);
                    sum += latency;
                }
                rows.add(new MetricsRow(
                        "tenant-" + (s % 10),
                        "route-" + (s % 7),
                        "model-" + s,
                        start,
                        start.plusSeconds(60),
                        n,
                        n / 20,
                        0,
                        sum / n,
                        sketch.quantile(0.5),
                        sketch.quantile(0.95),
                        sketch.quantile(0.99),
                        300.0,
                        150.0,
                        300L * n,
                        150L * n,
                        sum,
                        BigDecimal.valueOf(125L * n, 5),
                        0,
                        sketch.encode(),
                        1,
                        "benchmark"));
            }
            minutes.add(rows);
        }
        return minutes;
    }
}
