package dev.streamlens.model;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * How a {@link MetricsRow} is stored in {@code llm_metrics} and {@code llm_metrics_hourly}: the
 * column list, the job's idempotent upserts, and the binding of a row to and from a statement.
 */
public final class MetricsRowJdbc {

    /** The metrics tables, which share their columns. */
    public static final String MINUTES = "llm_metrics";
    public static final String HOURS = "llm_metrics_hourly";

    /** Every column of a row, in the order {@link #bind} and {@link #read} use. */
    public static final String COLUMNS = "tenant_id, route, model, window_start, window_end, requests, errors, "
            + "timeouts, avg_latency_ms, p50_latency_ms, p95_latency_ms, p99_latency_ms, avg_prompt_tokens, "
            + "avg_completion_tokens, total_prompt_tokens, total_completion_tokens, latency_sum_ms, "
            + "estimated_cost_usd, unpriced_requests, latency_sketch, revision, job_run, cached_prompt_tokens, "
            + "cache_write_tokens, reasoning_tokens, streamed_requests, p50_ttft_ms, p95_ttft_ms, p99_ttft_ms, "
            + "ttft_sketch, generation_ms_sum, output_tokens_per_second";
    private static final String VALUES = "VALUES (" + "?, ".repeat(31) + "?)";
    private static final String SET_VALUES = "window_end = EXCLUDED.window_end, requests = EXCLUDED.requests, "
            + "errors = EXCLUDED.errors, timeouts = EXCLUDED.timeouts, avg_latency_ms = EXCLUDED.avg_latency_ms, "
            + "p50_latency_ms = EXCLUDED.p50_latency_ms, p95_latency_ms = EXCLUDED.p95_latency_ms, "
            + "p99_latency_ms = EXCLUDED.p99_latency_ms, avg_prompt_tokens = EXCLUDED.avg_prompt_tokens, "
            + "avg_completion_tokens = EXCLUDED.avg_completion_tokens, "
            + "total_prompt_tokens = EXCLUDED.total_prompt_tokens, "
            + "total_completion_tokens = EXCLUDED.total_completion_tokens, "
            + "latency_sum_ms = EXCLUDED.latency_sum_ms, estimated_cost_usd = EXCLUDED.estimated_cost_usd, "
            + "unpriced_requests = EXCLUDED.unpriced_requests, latency_sketch = EXCLUDED.latency_sketch, "
            + "job_run = EXCLUDED.job_run, cached_prompt_tokens = EXCLUDED.cached_prompt_tokens, "
            + "cache_write_tokens = EXCLUDED.cache_write_tokens, reasoning_tokens = EXCLUDED.reasoning_tokens, "
            + "streamed_requests = EXCLUDED.streamed_requests, p50_ttft_ms = EXCLUDED.p50_ttft_ms, "
            + "p95_ttft_ms = EXCLUDED.p95_ttft_ms, p99_ttft_ms = EXCLUDED.p99_ttft_ms, "
            + "ttft_sketch = EXCLUDED.ttft_sketch, generation_ms_sum = EXCLUDED.generation_ms_sum, "
            + "output_tokens_per_second = EXCLUDED.output_tokens_per_second, updated_at = now()";

    private MetricsRowJdbc() {
    }

    /** A plain insert of every column (for loading data). */
    public static String insert(String table) {
        return "INSERT INTO " + checked(table) + " (" + COLUMNS + ") " + VALUES;
    }

    /**
     * The job's write of a window: full values upserted on the unique key, so writing a window
     * again is harmless and a later revision replaces an earlier one. Never replaced: a newer
     * revision by an older one, nor a row another run of the job wrote (a run started without
     * state knows only part of the windows that were open; docs/DESIGN.md#exactly-once). Rows of unknown run
     * (written before runs were recorded) follow the revision alone.
     */
    public static String upsert(String table) {
        String t = checked(table);
        return "INSERT INTO " + t + " (" + COLUMNS + ", updated_at) " + VALUES.replace(")", ", now())")
                + " ON CONFLICT (tenant_id, route, model, window_start) DO UPDATE SET " + SET_VALUES
                + ", revision = EXCLUDED.revision"
                + " WHERE " + t + ".revision <= EXCLUDED.revision"
                + " AND (" + t + ".job_run IS NULL OR " + t + ".job_run = EXCLUDED.job_run)";
    }

    /**
     * The minute rows of several series' hours in one query: what those hours are recomputed from.
     * Parameters: four arrays of the same length — tenants, routes, models (text) and the hours'
     * starts (RFC 3339 text, cast to timestamptz).
     */
    public static String selectMinutesOfHours() {
        return "SELECT m." + COLUMNS.replace(", ", ", m.") + " FROM unnest(?::text[], ?::text[], ?::text[], "
                + "?::timestamptz[]) AS h(tenant_id, route, model, hour_start) JOIN " + MINUTES + " m"
                + " ON m.tenant_id = h.tenant_id AND m.route = h.route AND m.model = h.model"
                + " AND m.window_start >= h.hour_start AND m.window_start < h.hour_start + interval '1 hour'";
    }

    /**
     * The write of an hour recomputed from its minute rows: always the hour's full values, its
     * revision counting the recomputations (the bound revision is used for a new row only).
     */
    public static String replaceHour() {
        return replace(HOURS);
    }

    /**
     * An unconditional replacement of a window's full values, whichever run wrote it before, with
     * the stored revision plus one (the bound revision is used for a new row only): an hour
     * recomputed from its minutes, and a recompute's minute rows (docs/RETENTION.md#recompute).
     * The row takes the bound job run, so the live job's guarded upsert leaves it alone afterwards.
     */
    public static String replace(String table) {
        String t = checked(table);
        return "INSERT INTO " + t + " (" + COLUMNS + ", updated_at) " + VALUES.replace(")", ", now())")
                + " ON CONFLICT (tenant_id, route, model, window_start) DO UPDATE SET " + SET_VALUES
                + ", revision = " + t + ".revision + 1";
    }

    /** Binds a row to the parameters of {@link #insert}, {@link #upsert} or {@link #replaceHour}. */
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
        ps.setString(22, row.jobRun());
        ps.setLong(23, row.cachedPromptTokens());
        ps.setLong(24, row.cacheWriteTokens());
        ps.setLong(25, row.reasoningTokens());
        ps.setLong(26, row.streamedRequests());
        setDouble(ps, 27, row.p50TtftMs());
        setDouble(ps, 28, row.p95TtftMs());
        setDouble(ps, 29, row.p99TtftMs());
        ps.setBytes(30, row.ttftSketch());
        ps.setDouble(31, row.generationMsSum());
        setDouble(ps, 32, row.outputTokensPerSecond());
    }

    /** Reads a row selected with {@link #COLUMNS}. */
    public static MetricsRow read(ResultSet rs) throws SQLException {
        return new MetricsRow(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getObject(5, OffsetDateTime.class).toInstant(),
                rs.getLong(6), rs.getLong(7), rs.getLong(8), getDouble(rs, 9), getDouble(rs, 10),
                getDouble(rs, 11), getDouble(rs, 12), getDouble(rs, 13), getDouble(rs, 14), rs.getLong(15),
                rs.getLong(16), rs.getDouble(17), rs.getBigDecimal(18), rs.getLong(19), rs.getBytes(20),
                rs.getInt(21), rs.getString(22), rs.getLong(23), rs.getLong(24), rs.getLong(25), rs.getLong(26),
                getDouble(rs, 27), getDouble(rs, 28), getDouble(rs, 29), rs.getBytes(30), rs.getDouble(31),
                getDouble(rs, 32));
    }

    private static void setDouble(PreparedStatement ps, int index, Double value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.DOUBLE);
        } else {
            ps.setDouble(index, value);
        }
    }

    private static Double getDouble(ResultSet rs, int index) throws SQLException {
        double value = rs.getDouble(index);
        return rs.wasNull() ? null : value;
    }

    private static String checked(String table) {
        if (!table.equals(MINUTES) && !table.equals(HOURS)) {
            throw new IllegalArgumentException("not a metrics table: " + table);
        }
        return table;
    }
}
