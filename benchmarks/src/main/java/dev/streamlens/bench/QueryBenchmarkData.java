package dev.streamlens.bench;

import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fills llm_metrics with 1-minute rows for {@code series} series over {@code days} days ending with
 * the given day (20 tenants; with 1,000 series 10 routes × 5 models each: the query benchmark's
 * 1.44 million rows for one day; with 100 series and 365 days, a year: 52.6 million rows), each
 * with an encoded sketch of 5..200 latencies, writes their exact hourly rollups, and prints
 * EXPLAIN ANALYZE of the benchmark queries. Partitions for every day are made first, as the
 * query-service's maintenance would have made them.
 *
 * <p>Arguments: {@code <jdbc-url> <last day's start, RFC 3339> [series, default 1000] [days, default 1]}.
 */
public final class QueryBenchmarkData {

    /** Minute rows take their sketch from this many prepared ones, by (series × 7 + minute) mod 64. */
    private static final int SKETCHES = 64;

    private QueryBenchmarkData() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Instant lastDay = Instant.parse(args[1]);
        int series = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int days = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Instant first = lastDay.minus(Duration.ofDays(days - 1L));
        Instant end = lastDay.plus(Duration.ofDays(1));
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
            MinuteTemplates minutes = prepareSketches(c);
            long started = System.nanoTime();
            try (Statement s = c.createStatement()) {
                s.execute("TRUNCATE llm_metrics, llm_metrics_hourly");
                s.execute("SELECT streamlens_ensure_minute_partitions(DATE '"
                        + first.toString().substring(0, 10) + "', DATE '"
                        + lastDay.toString().substring(0, 10) + "')");
                s.execute("SELECT streamlens_ensure_hourly_partitions(DATE '"
                        + first.toString().substring(0, 10) + "', DATE '"
                        + lastDay.toString().substring(0, 10) + "')");
            }
            // A month at a time: bounded transactions, and progress to watch.
            for (Instant from = first; from.isBefore(end); from = min(from.plus(Duration.ofDays(30)), end)) {
                Instant to = min(from.plus(Duration.ofDays(30)), end);
                try (Statement s = c.createStatement()) {
                    s.execute("""
                            INSERT INTO llm_metrics (tenant_id, route, model, window_start, window_end, requests, errors,
                                timeouts, avg_latency_ms, p50_latency_ms, p95_latency_ms, p99_latency_ms, avg_prompt_tokens,
                                avg_completion_tokens, total_prompt_tokens, total_completion_tokens, latency_sum_ms,
                                estimated_cost_usd, unpriced_requests, latency_sketch, revision)
                            SELECT 'tenant-' || (series % 20), 'route-' || (series / 20 % 10), 'model-' || (series / 200),
                                   ts, ts + interval '1 minute', k.n, k.n / 20, series % 3, k.total / k.n, 900, 2800, 3100,
                                   300, 150, k.n * 300, k.n * 150, k.total, k.n * 0.00125, 0, k.s, 1
                            FROM generate_series(0, SERIES - 1) AS series
                            CROSS JOIN generate_series(TIMESTAMPTZ 'FROM', TIMESTAMPTZ 'TO' - interval '1 minute',
                                                       interval '1 minute') AS ts
                            JOIN sketches k ON k.i = (series * 7 + extract(epoch FROM ts)::bigint / 60) % 64
                            """.replace("SERIES", Integer.toString(series))
                            .replace("'FROM'", "'" + from + "'")
                            .replace("'TO'", "'" + to + "'"));
                }
                System.out.printf("minute rows up to %s after %.0f s%n", to, (System.nanoTime() - started) / 1e9);
            }
            writeHourlyRollups(c, minutes, series, first, end);
            // Settle the bulk load now, so autovacuum and checkpoints do not run during the measurement.
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM (ANALYZE) llm_metrics");
                s.execute("VACUUM (ANALYZE) llm_metrics_hourly");
                s.execute("CHECKPOINT");
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT (SELECT count(*) FROM llm_metrics), (SELECT count(*) FROM llm_metrics_hourly), "
                                    + "pg_size_pretty(pg_total_relation_size('llm_metrics')::bigint + (SELECT sum(pg_total_relation_size(inhrelid)) "
                                    + "FROM pg_inherits WHERE inhparent = 'llm_metrics'::regclass)::bigint)")) {
                rs.next();
                System.out.printf(
                        "loaded %,d minute rows and %,d hourly rows (minute rows and indexes: %s) in %.1f s%n",
                        rs.getLong(1), rs.getLong(2), rs.getString(3), (System.nanoTime() - started) / 1e9);
            }
            String lastDayStart = lastDay.toString();
            explain(
                    c,
                    "seed call",
                    "SELECT * FROM llm_metrics WHERE tenant_id = 'tenant-7' "
                            + "ORDER BY window_start DESC, route, model LIMIT 60");
            explain(
                    c,
                    "1h rollup over 7 days",
                    "SELECT date_bin('3600 seconds'::interval, window_start, TIMESTAMPTZ "
                            + "'1970-01-01') AS bucket, sum(requests), array_agg(latency_sketch) FROM llm_metrics_hourly "
                            + "WHERE tenant_id = 'tenant-7' AND window_start >= TIMESTAMPTZ '" + lastDayStart
                            + "' - interval '6 days' "
                            + "AND window_start < TIMESTAMPTZ '" + lastDayStart
                            + "' + interval '1 day' GROUP BY bucket "
                            + "ORDER BY bucket DESC LIMIT 1000");
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** The 64 sketches minute rows take, with their call counts and latency sums. */
    private record MinuteTemplates(int[] counts, double[] totals, byte[][] encoded) {}

    private static MinuteTemplates prepareSketches(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE sketches (i int PRIMARY KEY, n int, total double precision, s bytea)");
        }
        Random random = new Random(11);
        int[] counts = new int[SKETCHES];
        double[] totals = new double[SKETCHES];
        byte[][] encoded = new byte[SKETCHES][];
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sketches VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < SKETCHES; i++) {
                LatencySketch sketch = LatencySketch.create();
                int n = 5 + random.nextInt(196);
                double total = 0;
                for (int k = 0; k < n; k++) {
                    double latency = 50 + random.nextInt(3000) + (random.nextInt(20) == 0 ? random.nextInt(60_000) : 0);
                    sketch.add(latency);
                    total += latency;
                }
                counts[i] = n;
                totals[i] = total;
                encoded[i] = sketch.encode();
                ps.setInt(1, i);
                ps.setInt(2, n);
                ps.setDouble(3, total);
                ps.setBytes(4, encoded[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return new MinuteTemplates(counts, totals, encoded);
    }

    /**
     * The hourly rollups of the same rows, combined as the job's PostgreSQL sink does. An hour's 60
     * minutes use the sketches j, j+1, ..., j+59 (mod 64) for j = (series × 7 + its first minute) mod
     * 64, so there are only 64 different hours: each is summed once (with {@link CallTotals}, as the
     * sink sums), and every series' hours are written from them in SQL (timeouts, which depend on
     * the series, added there).
     */
    private static void writeHourlyRollups(
            Connection c, MinuteTemplates minutes, int series, Instant first, Instant end) throws Exception {
        // The 64 hours are written as rows of a tenant "~template" in 1970 (the default partition), route = j.
        try (PreparedStatement ps = c.prepareStatement(MetricsRowJdbc.insert(MetricsRowJdbc.HOURS))) {
            for (int j = 0; j < SKETCHES; j++) {
                List<MetricsRow> rows = new ArrayList<>();
                Instant hourStart = Instant.EPOCH;
                for (int m = 0; m < 60; m++) {
                    int k = (j + m) % SKETCHES;
                    int n = minutes.counts()[k];
                    Instant start = hourStart.plusSeconds(60L * m);
                    rows.add(new MetricsRow(
                            "t",
                            "r",
                            "m",
                            start,
                            start.plusSeconds(60),
                            n,
                            n / 20,
                            0,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            n * 300L,
                            n * 150L,
                            minutes.totals()[k],
                            BigDecimal.valueOf(n * 125L, 5),
                            0,
                            minutes.encoded()[k],
                            1,
                            null));
                }
                MetricsRow hour = CallTotals.sum(rows)
                        .toRow("~template", Integer.toString(j), "m", hourStart, hourStart.plusSeconds(3600), 60, null);
                MetricsRowJdbc.bind(ps, hour);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO llm_metrics_hourly (tenant_id, route, model, window_start, window_end, requests, errors,
                        timeouts, avg_latency_ms, p50_latency_ms, p95_latency_ms, p99_latency_ms, avg_prompt_tokens,
                        avg_completion_tokens, total_prompt_tokens, total_completion_tokens, latency_sum_ms,
                        estimated_cost_usd, unpriced_requests, latency_sketch, revision)
                    SELECT 'tenant-' || (series % 20), 'route-' || (series / 20 % 10), 'model-' || (series / 200),
                           h, h + interval '1 hour', t.requests, t.errors, 60 * (series % 3), t.avg_latency_ms,
                           t.p50_latency_ms, t.p95_latency_ms, t.p99_latency_ms, t.avg_prompt_tokens,
                           t.avg_completion_tokens, t.total_prompt_tokens, t.total_completion_tokens, t.latency_sum_ms,
                           t.estimated_cost_usd, 0, t.latency_sketch, 60
                    FROM generate_series(0, SERIES - 1) AS series
                    CROSS JOIN generate_series(TIMESTAMPTZ 'FIRST', TIMESTAMPTZ 'END' - interval '1 hour', interval '1 hour') AS h
                    JOIN llm_metrics_hourly t ON t.tenant_id = '~template'
                                             AND t.route::int = (series * 7 + extract(epoch FROM h)::bigint / 60) % 64
                    """.replace("SERIES", Integer.toString(series))
                    .replace("'FIRST'", "'" + first + "'")
                    .replace("'END'", "'" + end + "'"));
            s.execute("DELETE FROM llm_metrics_hourly WHERE tenant_id = '~template'");
        }
    }

    private static void explain(Connection c, String name, String sql) throws Exception {
        System.out.println("== EXPLAIN ANALYZE " + name);
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
            while (rs.next()) {
                System.out.println(rs.getString(1));
            }
        }
    }
}
