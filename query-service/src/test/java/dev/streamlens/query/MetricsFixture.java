package dev.streamlens.query;

import dev.streamlens.model.LatencySketch;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
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
    record Minute(String tenant, String route, String model, Instant start, List<Double> latencies, long errors,
                  long timeouts, long promptTokens, long completionTokens, BigDecimal cost) {
    }

    private MetricsFixture() {
    }

    static List<Minute> generate(long seed, String tenant, String[] routes, String[] models, Instant first, int minutes) {
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
                    out.add(new Minute(tenant, route, model, first.plusSeconds(60L * m), latencies, errors,
                            random.nextInt(3), prompt, completion,
                            new BigDecimal(random.nextInt(1_000_000)).movePointLeft(9)));
                }
            }
        }
        return out;
    }

    static void write(DataSource ds, List<Minute> minutes) throws SQLException {
        String sql = "INSERT INTO llm_metrics (tenant_id, route, model, window_start, window_end, requests, errors, "
                + "timeouts, avg_latency_ms, p50_latency_ms, p95_latency_ms, p99_latency_ms, avg_prompt_tokens, "
                + "avg_completion_tokens, total_prompt_tokens, total_completion_tokens, latency_sum_ms, "
                + "estimated_cost_usd, unpriced_requests, latency_sketch, revision) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (Minute m : minutes) {
                LatencySketch sketch = LatencySketch.create();
                m.latencies().forEach(sketch::add);
                long n = m.latencies().size();
                double sum = m.latencies().stream().mapToDouble(Double::doubleValue).sum();
                ps.setString(1, m.tenant());
                ps.setString(2, m.route());
                ps.setString(3, m.model());
                ps.setTimestamp(4, Timestamp.from(m.start()));
                ps.setTimestamp(5, Timestamp.from(m.start().plusSeconds(60)));
                ps.setLong(6, n);
                ps.setLong(7, m.errors());
                ps.setLong(8, m.timeouts());
                setNullable(ps, 9, n == 0 ? null : sum / n);
                setNullable(ps, 10, sketch.quantile(0.5));
                setNullable(ps, 11, sketch.quantile(0.95));
                setNullable(ps, 12, sketch.quantile(0.99));
                setNullable(ps, 13, n == 0 ? null : (double) m.promptTokens() / n);
                setNullable(ps, 14, n == 0 ? null : (double) m.completionTokens() / n);
                ps.setLong(15, m.promptTokens());
                ps.setLong(16, m.completionTokens());
                ps.setDouble(17, sum);
                ps.setBigDecimal(18, m.cost());
                ps.setLong(19, 0);
                ps.setBytes(20, n == 0 ? null : sketch.encode());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void setNullable(PreparedStatement ps, int index, Double value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.DOUBLE);
        } else {
            ps.setDouble(index, value);
        }
    }

    /** The nearest-rank q-quantile: the ceil(q * n)-th smallest value. */
    static double nearestRank(List<Double> values, double q) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = new BigDecimal(Double.toString(q)).multiply(BigDecimal.valueOf(sorted.length))
                .setScale(0, java.math.RoundingMode.CEILING).intValueExact();
        return sorted[Math.max(1, rank) - 1];
    }
}
