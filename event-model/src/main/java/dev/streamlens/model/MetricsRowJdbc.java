package dev.streamlens.model;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How a {@link MetricsRow} is stored in {@code llm_metrics} and {@code llm_metrics_hourly}: the
 * column list, the job's idempotent upserts, and the binding of a row to and from a statement.
 */
public final class MetricsRowJdbc {

    /** The metrics tables, which share their columns. */
    public static final String MINUTES = "llm_metrics";

    public static final String HOURS = "llm_metrics_hourly";

    /** Every column of a row ({@link MetricColumns}), in the order of the parameters {@link #bind} sets. */
    public static final String COLUMNS =
            MetricColumns.all().stream().map(MetricColumns.Column::name).collect(Collectors.joining(", "));

    /**
     * {@link #COLUMNS} with the end-user and session summaries left out (selected as NULL): what a
     * reader of a row's figures selects, without the summaries' bytes.
     */
    public static final String FIGURE_COLUMNS = MetricColumns.all().stream()
            .map(c -> c.rollup() == Rollup.Kind.TOP ? "NULL::bytea AS " + c.name() : c.name())
            .collect(Collectors.joining(", "));

    private static final String VALUES =
            "VALUES (" + "?, ".repeat(MetricColumns.all().size() - 1) + "?)";
    /** An upsert's new values: every column but the key's and the revision (each statement has its rule). */
    private static final String SET_VALUES = MetricColumns.all().stream()
                    .filter(c -> c.rollup() != Rollup.Kind.KEY && !c.name().equals("revision"))
                    .map(c -> c.name() + " = EXCLUDED." + c.name())
                    .collect(Collectors.joining(", "))
            + ", updated_at = now()";

    private MetricsRowJdbc() {}

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
        int index = 1;
        for (MetricColumns.Column column : MetricColumns.all()) {
            Object value = column.of(row);
            if (value == null) {
                ps.setNull(index++, sqlType(column.valueType()));
            } else if (value instanceof Instant instant) {
                ps.setObject(index++, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
            } else {
                ps.setObject(index++, value, sqlType(column.valueType()));
            }
        }
    }

    /** Reads a row selected with {@link #COLUMNS} (by column name). */
    public static MetricsRow read(ResultSet rs) throws SQLException {
        List<MetricColumns.Column> columns = MetricColumns.all();
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = value(rs, columns.get(i));
        }
        return MetricColumns.newRow(values);
    }

    /** A column's value in the current row of a result, read by its name as its value type says. */
    public static Object value(ResultSet rs, MetricColumns.Column column) throws SQLException {
        String name = column.name();
        return switch (column.valueType()) {
            case TIME -> {
                OffsetDateTime time = rs.getObject(name, OffsetDateTime.class);
                yield time == null ? null : time.toInstant();
            }
            case TEXT -> rs.getString(name);
            case LONG -> rs.getLong(name);
            case INT -> rs.getInt(name);
            case DOUBLE -> rs.getDouble(name);
            case OPTIONAL_DOUBLE -> {
                double value = rs.getDouble(name);
                yield rs.wasNull() ? null : value;
            }
            case DECIMAL -> rs.getBigDecimal(name);
            case BYTES -> rs.getBytes(name);
        };
    }

    /** The JDBC type a column is stored as. */
    private static int sqlType(MetricColumns.ValueType type) {
        return switch (type) {
            case TIME -> Types.TIMESTAMP_WITH_TIMEZONE;
            case TEXT -> Types.VARCHAR;
            case LONG -> Types.BIGINT;
            case INT -> Types.INTEGER;
            case DOUBLE, OPTIONAL_DOUBLE -> Types.DOUBLE;
            case DECIMAL -> Types.NUMERIC;
            case BYTES -> Types.BINARY;
        };
    }

    private static String checked(String table) {
        if (!table.equals(MINUTES) && !table.equals(HOURS)) {
            throw new IllegalArgumentException("not a metrics table: " + table);
        }
        return table;
    }
}
