package dev.streamlens.query;

import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;

/**
 * Writes llm_metrics rows the way the job does (full values, encoded DDSketch), from known
 * per-minute latencies the tests keep to compute expected rollups independently.
 */
final class MetricsFixture {

    /** One minute of one series, with the raw values behind its row. */
    record Minute(
            String tenant,
            String route,
            String model,
            Instant start,
            List<Double> latencies,
            long errors,
            long timeouts,
            long promptTokens,
            long completionTokens,
            BigDecimal cost) {}

    private MetricsFixture() {}

    static List<Minute> generate(
            long seed, String tenant, String[] routes, String[] models, Instant first, int minutes) {
        Random random = new Random(seed);
        List<Minute> out = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            for (String route : routes) {
                for (String model : models) {
                    int calls = random.nextInt(20);
                    List<Double> latencies = new ArrayList<>();
                    long errors = 0;
                    for (int i = 0; i < calls; i++) {
                        latencies.add(10 + random.nextInt(5000) + random.nextInt(1000) / 1000.0);
                        if (random.nextInt(10) == 0) {
                            errors++;
                        }
                    }
                    long prompt = calls * (long) random.nextInt(500);
                    long completion = calls * (long) random.nextInt(300);
                    out.add(new Minute(
                            tenant,
                            route,
                            model,
                            first.plusSeconds(60L * m),
                            latencies,
                            errors,
                            random.nextInt(3),
                            prompt,
                            completion,
                            new BigDecimal(random.nextInt(1_000_000)).movePointLeft(9)));
                }
            }
        }
        return out;
    }

    /**
     * Writes the minute rows, and their hourly rollups as the job's rollup stage writes them (sums,
     * averages from sums, merged sketches).
     */
    static void write(DataSource ds, List<Minute> minutes) throws SQLException {
        List<MetricsRow> rows = minutes.stream().map(MetricsFixture::row).toList();
        insert(ds, "llm_metrics", rows);
        java.util.Map<String, List<MetricsRow>> byHour = new java.util.TreeMap<>();
        for (MetricsRow r : rows) {
            Instant hour = r.windowStart().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
            byHour.computeIfAbsent(
                            r.tenantId() + "|" + r.route() + "|" + r.model() + "|" + hour, k -> new ArrayList<>())
                    .add(r);
        }
        List<MetricsRow> hours = new ArrayList<>();
        byHour.values().forEach(group -> {
            MetricsRow first = group.get(0);
            Instant hour = first.windowStart().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
            hours.add(CallTotals.sum(group)
                    .toRow(
                            first.tenantId(),
                            first.route(),
                            first.model(),
                            hour,
                            hour.plusSeconds(3600),
                            group.size(),
                            null));
        });
        insert(ds, "llm_metrics_hourly", hours);
    }

    private static MetricsRow row(Minute m) {
        LatencySketch sketch = LatencySketch.create();
        m.latencies().forEach(sketch::add);
        long n = m.latencies().size();
        double sum = m.latencies().stream().mapToDouble(Double::doubleValue).sum();
        return new MetricsRow(
                m.tenant(),
                m.route(),
                m.model(),
                m.start(),
                m.start().plusSeconds(60),
                n,
                m.errors(),
                m.timeouts(),
                n == 0 ? null : sum / n,
                sketch.quantile(0.5),
                sketch.quantile(0.95),
                sketch.quantile(0.99),
                n == 0 ? null : (double) m.promptTokens() / n,
                n == 0 ? null : (double) m.completionTokens() / n,
                m.promptTokens(),
                m.completionTokens(),
                sum,
                m.cost(),
                0,
                n == 0 ? null : sketch.encode(),
                1,
                null);
    }

    static void insert(DataSource ds, String table, List<MetricsRow> rows) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(MetricsRowJdbc.insert(table))) {
            for (MetricsRow r : rows) {
                MetricsRowJdbc.bind(ps, r);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The nearest-rank q-quantile: the ceil(q * n)-th smallest value. */
    static double nearestRank(List<Double> values, double q) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = new BigDecimal(Double.toString(q))
                .multiply(BigDecimal.valueOf(sorted.length))
                .setScale(0, java.math.RoundingMode.CEILING)
                .intValueExact();
        return sorted[Math.max(1, rank) - 1];
    }
}
