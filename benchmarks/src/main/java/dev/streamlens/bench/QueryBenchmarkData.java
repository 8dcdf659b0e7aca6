package dev.streamlens.bench;

import dev.streamlens.model.LatencySketch;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import dev.streamlens.model.CallTotals;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fills llm_metrics with 24 hours of 1-minute rows for 1,000 series (20 tenants × 10 routes ×
 * 5 models: 1,440,000 rows, each with an encoded sketch of 5..200 latencies), then prints
 * writes their hourly rollups as the job would, and prints EXPLAIN ANALYZE of the benchmark queries.
 *
 * <p>Arguments: {@code <jdbc-url> <day-start RFC 3339>}.
 */
public final class QueryBenchmarkData {

    private QueryBenchmarkData() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String dayStart = args[1];
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE sketches (i int PRIMARY KEY, n int, total double precision, s bytea)");
            }
            Random random = new Random(11);
            int[] counts = new int[64];
            double[] totals = new double[64];
            byte[][] encoded = new byte[64][];
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sketches VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < 64; i++) {
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
            long started = System.nanoTime();
            try (Statement s = c.createStatement()) {
                s.execute("TRUNCATE llm_metrics");
                s.execute("""
                        INSERT INTO llm_metrics (tenant_id, route, model, window_start, window_end, requests, errors,
                            timeouts, avg_latency_ms, p50_latency_ms, p95_latency_ms, p99_latency_ms, avg_prompt_tokens,
                            avg_completion_tokens, total_prompt_tokens, total_completion_tokens, latency_sum_ms,
                            estimated_cost_usd, unpriced_requests, latency_sketch, revision)
                        SELECT 'tenant-' || (series % 20), 'route-' || (series / 20 % 10), 'model-' || (series / 200),
                               ts, ts + interval '1 minute', k.n, k.n / 20, series % 3, k.total / k.n, 900, 2800, 3100,
                               300, 150, k.n * 300, k.n * 150, k.total, k.n * 0.00125, 0, k.s, 1
                        FROM generate_series(0, 999) AS series
                        CROSS JOIN generate_series(TIMESTAMPTZ 'DAY', TIMESTAMPTZ 'DAY' + interval '1439 minutes',
                                                   interval '1 minute') AS ts
                        JOIN sketches k ON k.i = (series * 7 + extract(epoch FROM ts)::bigint / 60) % 64
                        """.replace("DAY", dayStart));
                s.execute("ANALYZE llm_metrics");
            }
            writeHourlyRollups(c, dayStart, counts, totals, encoded);
            // Settle the bulk load now, so autovacuum and checkpoints do not run during the measurement.
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM (ANALYZE) llm_metrics");
                s.execute("VACUUM (ANALYZE) llm_metrics_hourly");
                s.execute("CHECKPOINT");
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM llm_metrics")) {
                rs.next();
                System.out.printf("loaded %,d rows in %.1f s%n", rs.getLong(1), (System.nanoTime() - started) / 1e9);
            }
            explain(c, "seed call", "SELECT * FROM llm_metrics WHERE tenant_id = 'tenant-7' "
                    + "ORDER BY window_start DESC, route, model LIMIT 60");
            explain(c, "1h rollup over 7 days", "SELECT date_bin('3600 seconds'::interval, window_start, TIMESTAMPTZ "
                    + "'1970-01-01') AS bucket, sum(requests), array_agg(latency_sketch) FROM llm_metrics_hourly "
                    + "WHERE tenant_id = 'tenant-7' AND window_start >= TIMESTAMPTZ '" + dayStart + "' - interval '6 days' "
                    + "AND window_start < TIMESTAMPTZ '" + dayStart + "' + interval '1 day' GROUP BY bucket "
                    + "ORDER BY bucket DESC LIMIT 1000");
        }
    }

    /** The hourly rollups of the same rows, combined as the job's PostgreSQL sink does. */
    private static void writeHourlyRollups(Connection c, String dayStart, int[] counts, double[] totals,
                                           byte[][] encoded) throws Exception {
        Instant day = Instant.parse(dayStart);
        long firstMinute = day.getEpochSecond() / 60;
        try (Statement s = c.createStatement()) {
            s.execute("TRUNCATE llm_metrics_hourly");
        }
        try (PreparedStatement ps = c.prepareStatement(MetricsRowJdbc.insert(MetricsRowJdbc.HOURS))) {
            for (int series = 0; series < 1000; series++) {
                String tenant = "tenant-" + (series % 20);
                String route = "route-" + (series / 20 % 10);
                String model = "model-" + (series / 200);
                for (int hour = 0; hour < 24; hour++) {
                    List<MetricsRow> minutes = new ArrayList<>();
                    for (int m = 0; m < 60; m++) {
                        long minute = firstMinute + hour * 60L + m;
                        int k = (int) ((series * 7L + minute) % 64);
                        int n = counts[k];
                        Instant start = Instant.ofEpochSecond(minute * 60);
                        minutes.add(new MetricsRow(tenant, route, model, start, start.plusSeconds(60), n, n / 20,
                                series % 3, null, null, null, null, null, null, n * 300L, n * 150L, totals[k],
                                BigDecimal.valueOf(n * 125L, 5), 0, encoded[k], 1, null));
                    }
                    Instant hourStart = day.plusSeconds(3600L * hour);
                    MetricsRow r = CallTotals.sum(minutes).toRow(tenant, route, model, hourStart,
                            hourStart.plusSeconds(3600), 60, null);
                    MetricsRowJdbc.bind(ps, r);
                    ps.addBatch();
                }
                if (series % 100 == 99) {
                    ps.executeBatch();
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE llm_metrics_hourly");
        }
    }

    private static void explain(Connection c, String name, String sql) throws Exception {
        System.out.println("== EXPLAIN ANALYZE " + name);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
            while (rs.next()) {
                System.out.println(rs.getString(1));
            }
        }
    }
}
