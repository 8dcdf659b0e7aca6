package dev.streamlens.job.io;

import dev.streamlens.model.CallTotals;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Writes the rows of a completed checkpoint in one PostgreSQL transaction: the minute rows by
 * guarded upsert ({@link MetricsRowJdbc#upsert}; a recompute replaces them, {@link Mode}), then every hour they touch recomputed from the
 * hour's minute rows as the table now holds them. Hours are derived from the table, never from
 * job state, so they always equal the sum of their minutes — after a restore, a replay in another
 * order, or a start without state alike. Each hour is locked for the transaction (an advisory
 * lock, taken in one order), so the live job and a recompute writing minutes of the same hour at
 * once recompute it one after the other, each from the other's committed minutes.
 *
 * <p>A failed write throws; {@link PostgresMetricsSink} keeps the rows and tries again.
 */
public final class PostgresCommitter implements AutoCloseable {

    /** How minute rows meet the rows already in the table. */
    public enum Mode {
        /** The live job: guarded upsert ({@link MetricsRowJdbc#upsert}), progress recorded. */
        LIVE,
        /**
         * A recompute of a past range: every row replaces the stored one, whichever run wrote it,
         * with the next revision ({@link MetricsRowJdbc#replace}); the live job's progress is left alone.
         */
        RECOMPUTE
    }

    private static final long HOUR_MS = Duration.ofHours(1).toMillis();
    /** Every hour of the batch locked, in one statement and in one order (no two writers wait on each other). */
    private static final String LOCK_HOURS = "SELECT pg_advisory_xact_lock(k) FROM unnest(?::bigint[]) AS k ORDER BY k";

    private record SeriesHour(String tenant, String route, String model, long start) {
        long lockKey() {
            return hourLockKey(tenant, route, model, start);
        }
    }

    /** A series' hour's advisory lock key: a 64-bit hash (two hours sharing one only wait for each other). */
    static long hourLockKey(String tenant, String route, String model, long hourStartMs) {
        long h = 1125899906842597L;
        for (String part : new String[] {tenant, route, model, Long.toString(hourStartMs)}) {
            for (int i = 0; i < part.length(); i++) {
                h = 31 * h + part.charAt(i);
            }
            h = 31 * h + 0x1f;
        }
        return h;
    }

    private final JdbcTarget target;
    private final PipelineProgress.Timing timing;
    private final Mode mode;
    private final PipelineProgress.Subtask subtask;
    private final Counter rowsWritten;
    private final Counter hoursWritten;
    private Connection connection;

    public PostgresCommitter(JdbcTarget target, PipelineProgress.Timing timing, MetricGroup metrics) {
        this(target, timing, Mode.LIVE, PipelineProgress.Subtask.ONLY, metrics);
    }

    /** @param subtask the sink subtask committing, whose watermark the progress records */
    public PostgresCommitter(
            JdbcTarget target,
            PipelineProgress.Timing timing,
            Mode mode,
            PipelineProgress.Subtask subtask,
            MetricGroup metrics) {
        this.target = target;
        this.timing = timing;
        this.mode = mode;
        this.subtask = subtask;
        this.rowsWritten = metrics.counter("streamlens_postgres_rows_written");
        this.hoursWritten = metrics.counter("streamlens_postgres_hours_written");
    }

    /**
     * Upserts the minute rows and recomputes their hours in one transaction, now; returns the hours
     * written. {@link #commit} calls it for a completed checkpoint; tools and tests may call it directly.
     */
    public int write(List<MetricsRow> rows) throws SQLException {
        return write(rows, Long.MIN_VALUE);
    }

    /** As {@link #write(List)}, and records the watermark (unless {@link Long#MIN_VALUE}) in the same transaction. */
    public int write(List<MetricsRow> rows, long watermark) throws SQLException {
        Connection c;
        try {
            c = connection();
        } catch (SQLException e) {
            closeConnection();
            throw e;
        }
        try {
            if (mode == Mode.LIVE) {
                PipelineProgress.write(c, watermark, timing, subtask);
            }
            String minuteWrite = mode == Mode.LIVE
                    ? MetricsRowJdbc.upsert(MetricsRowJdbc.MINUTES)
                    : MetricsRowJdbc.replace(MetricsRowJdbc.MINUTES);
            try (PreparedStatement upsert = c.prepareStatement(minuteWrite)) {
                for (MetricsRow row : rows) {
                    MetricsRowJdbc.bind(upsert, row);
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            Map<SeriesHour, String> hours = new LinkedHashMap<>();
            for (MetricsRow row : rows) {
                long start = Math.floorDiv(row.windowStart().toEpochMilli(), HOUR_MS) * HOUR_MS;
                hours.putIfAbsent(new SeriesHour(row.tenantId(), row.route(), row.model(), start), row.jobRun());
            }
            try (PreparedStatement lock = c.prepareStatement(LOCK_HOURS)) {
                lock.setArray(
                        1,
                        c.createArrayOf(
                                "bigint",
                                hours.keySet().stream()
                                        .map(SeriesHour::lockKey)
                                        .sorted()
                                        .distinct()
                                        .toArray()));
                lock.executeQuery().close();
            }
            Map<SeriesHour, List<MetricsRow>> minutes = minutesOf(c, hours.keySet());
            try (PreparedStatement replace = c.prepareStatement(MetricsRowJdbc.replaceHour())) {
                for (Map.Entry<SeriesHour, String> hour : hours.entrySet()) {
                    SeriesHour h = hour.getKey();
                    Instant start = Instant.ofEpochMilli(h.start());
                    MetricsRowJdbc.bind(
                            replace,
                            CallTotals.sum(minutes.getOrDefault(h, List.of()))
                                    .toRow(
                                            h.tenant(),
                                            h.route(),
                                            h.model(),
                                            start,
                                            start.plusMillis(HOUR_MS),
                                            1,
                                            hour.getValue()));
                    replace.addBatch();
                }
                replace.executeBatch();
            }
            c.commit();
            rowsWritten.inc(rows.size());
            hoursWritten.inc(hours.size());
            return hours.size();
        } catch (SQLException e) {
            closeConnection(); // a fresh one next time: this one may be broken
            throw e;
        }
    }

    /** The minute rows of every given hour, as the table holds them now, in one query. */
    private static Map<SeriesHour, List<MetricsRow>> minutesOf(Connection c, Collection<SeriesHour> hours)
            throws SQLException {
        List<SeriesHour> all = new ArrayList<>(hours);
        try (PreparedStatement select = c.prepareStatement(MetricsRowJdbc.selectMinutesOfHours())) {
            select.setArray(
                    1,
                    c.createArrayOf("text", all.stream().map(SeriesHour::tenant).toArray()));
            select.setArray(
                    2,
                    c.createArrayOf("text", all.stream().map(SeriesHour::route).toArray()));
            select.setArray(
                    3,
                    c.createArrayOf("text", all.stream().map(SeriesHour::model).toArray()));
            select.setArray(
                    4,
                    c.createArrayOf(
                            "text",
                            all.stream()
                                    .map(h -> Instant.ofEpochMilli(h.start()).toString())
                                    .toArray()));
            Map<SeriesHour, List<MetricsRow>> minutes = new HashMap<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    MetricsRow m = MetricsRowJdbc.read(rs);
                    long start = Math.floorDiv(m.windowStart().toEpochMilli(), HOUR_MS) * HOUR_MS;
                    minutes.computeIfAbsent(
                                    new SeriesHour(m.tenantId(), m.route(), m.model(), start), k -> new ArrayList<>())
                            .add(m);
                }
            }
            return minutes;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = target.connect();
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
