package dev.streamlens.model;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * How a {@link MetricsRow} is stored in {@code llm_metrics} and {@code llm_metrics_hourly}: the
 * column list, the job's idempotent upsert, and the binding of a row to either statement.
 */
public final class MetricsRowJdbc {

    /** The metrics tables, which share their columns. */
    public static final String MINUTES = "llm_metrics";
    public static final String HOURS = "llm_metrics_hourly";

    private static final String COLUMNS = "tenant_id, route, model, window_start, window_end, requests, errors, "
            + "timeouts, avg_latency_ms, p50_latency_ms, p95_latency_ms, p99_latency_ms, avg_prompt_tokens, "
            + "avg_completion_tokens, total_prompt_tokens, total_completion_tokens, latency_sum_ms, "
            + "estimated_cost_usd, unpriced_requests, latency_sketch, revision";
    private static final String VALUES = "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private MetricsRowJdbc() {
    }

    /** A plain insert of every column (for loading data). */
    public static String insert(String table) {
        return "INSERT INTO " + checked(table) + " (" + COLUMNS + ") " + VALUES;
    }

    /**
     * The job's write: full values upserted on the unique key, so a replay writes the same values
     * again and a later revision replaces an earlier one, but an older revision never overwrites
     * a newer one.
     */
    public static String upsert(String table) {
        String t = checked(table);
        return "INSERT INTO " + t + " (" + COLUMNS + ", updated_at) " + VALUES.replace(")", ", now())")
                + " ON CONFLICT (tenant_id, route, model, window_start) DO UPDATE SET "
                + "window_end = EXCLUDED.window_end, requests = EXCLUDED.requests, errors = EXCLUDED.errors, "
                + "timeouts = EXCLUDED.timeouts, avg_latency_ms = EXCLUDED.avg_latency_ms, "
                + "p50_latency_ms = EXCLUDED.p50_latency_ms, p95_latency_ms = EXCLUDED.p95_latency_ms, "
                + "p99_latency_ms = EXCLUDED.p99_latency_ms, avg_prompt_tokens = EXCLUDED.avg_prompt_tokens, "
                + "avg_completion_tokens = EXCLUDED.avg_completion_tokens, "
                + "total_prompt_tokens = EXCLUDED.total_prompt_tokens, "
                + "total_completion_tokens = EXCLUDED.total_completion_tokens, "
                + "latency_sum_ms = EXCLUDED.latency_sum_ms, estimated_cost_usd = EXCLUDED.estimated_cost_usd, "
                + "unpriced_requests = EXCLUDED.unpriced_requests, latency_sketch = EXCLUDED.latency_sketch, "
                + "revision = EXCLUDED.revision, updated_at = now() "
                + "WHERE " + t + ".revision <= EXCLUDED.revision";
    }

    /** Binds a row to the parameters of {@link #insert} or {@link #upsert}. */
    public static void bind(PreparedStatement ps, MetricsRow row) throws SQLException {
        ps.setString(1, row.tenantId());
        ps.setString(2, row.route());
        ps.setString(3, row.model());
        ps.setObject(4, OffsetDateTime.ofInstant(row.windowStart(), ZoneOffset.UTC));
        ps.setObject(5, OffsetDateTime.ofInstant(row.windowEnd(), ZoneOffset.UTC));
        ps.setLong(6, row.requests());
        ps.setLong(7, row.errors());
        ps.setLong(8, row.timeouts());
        setDouble(ps, 9, row.avgLatencyMs());
        setDouble(ps, 10, row.p50LatencyMs());
        setDouble(ps, 11, row.p95LatencyMs());
        setDouble(ps, 12, row.p99LatencyMs());
        setDouble(ps, 13, row.avgPromptTokens());
        setDouble(ps, 14, row.avgCompletionTokens());
        ps.setLong(15, row.totalPromptTokens());
        ps.setLong(16, row.totalCompletionTokens());
        ps.setDouble(17, row.latencySumMs());
        ps.setBigDecimal(18, row.estimatedCostUsd());
        ps.setLong(19, row.unpricedRequests());
        ps.setBytes(20, row.latencySketch());
        ps.setInt(21, row.revision());
    }

    private static void setDouble(PreparedStatement ps, int index, Double value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.DOUBLE);
        } else {
            ps.setDouble(index, value);
        }
    }

    private static String checked(String table) {
        if (!table.equals(MINUTES) && !table.equals(HOURS)) {
            throw new IllegalArgumentException("not a metrics table: " + table);
        }
        return table;
    }
}
