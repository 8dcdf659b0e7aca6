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
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the rows of a completed checkpoint in one PostgreSQL transaction: the minute rows by
 * guarded upsert ({@link MetricsRowJdbc#upsert}; a recompute replaces them, {@link Mode}), then every hour they touch recomputed from the
 * hour's minute rows as the table now holds them. Hours are derived from the table, never from
 * job state, so they always equal the sum of their minutes — after a restore, a replay in another
 * order, or a start without state alike.
 *
 * <p>A failed write is retried (with back-off) by Flink; rows stay in the checkpoint until written.
 */
public final class PostgresCommitter implements Committer<RowBatch> {

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

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCommitter.class);
    private static final long HOUR_MS = Duration.ofHours(1).toMillis();
    private static final long MAX_BACKOFF_MS = 10_000;

    private record SeriesHour(String tenant, String route, String model, long start) {
    }

    private final JdbcTarget target;
    private final PipelineProgress.Timing timing;
    private final Mode mode;
    private final Counter rowsWritten;
    private final Counter hoursWritten;
    private Connection connection;

    public PostgresCommitter(JdbcTarget target, PipelineProgress.Timing timing, MetricGroup metrics) {
        this(target, timing, Mode.LIVE, metrics);
    }

    public PostgresCommitter(JdbcTarget target, PipelineProgress.Timing timing, Mode mode, MetricGroup metrics) {
        this.target = target;
        this.timing = timing;
        this.mode = mode;
        this.rowsWritten = metrics.counter("streamlens_postgres_rows_written");
        this.hoursWritten = metrics.counter("streamlens_postgres_hours_written");
    }

    @Override
    public void commit(Collection<CommitRequest<RowBatch>> requests) throws InterruptedException {
        List<MetricsRow> rows = new ArrayList<>();
        requests.forEach(request -> rows.addAll(request.getCommittable().rows()));
        long watermark = requests.stream().mapToLong(request -> request.getCommittable().watermark()).max()
                .orElse(Long.MIN_VALUE);
        if (rows.isEmpty() && watermark == Long.MIN_VALUE) {
            return;
        }
        try {
            int hours = write(rows, watermark);
            rowsWritten.inc(rows.size());
            hoursWritten.inc(hours);
        } catch (SQLException e) {
            closeConnection();
            int attempt = requests.stream().mapToInt(CommitRequest::getNumberOfRetries).max().orElse(0);
            LOG.warn("could not write {} rows to {} (attempt {}), will retry: {}", rows.size(), target, attempt + 1,
                    e.toString());
            Thread.sleep(Math.min(MAX_BACKOFF_MS, 500L << Math.min(attempt, 10)));
            requests.forEach(CommitRequest::retryLater);
        }
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
        Connection c = connection();
        try {
            if (watermark != Long.MIN_VALUE && mode == Mode.LIVE) {
                PipelineProgress.write(c, watermark, timing);
            }
            String minuteWrite = mode == Mode.LIVE ? MetricsRowJdbc.upsert(MetricsRowJdbc.MINUTES)
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
            Map<SeriesHour, List<MetricsRow>> minutes = minutesOf(c, hours.keySet());
            try (PreparedStatement replace = c.prepareStatement(MetricsRowJdbc.replaceHour())) {
                for (Map.Entry<SeriesHour, String> hour : hours.entrySet()) {
                    SeriesHour h = hour.getKey();
                    Instant start = Instant.ofEpochMilli(h.start());
                    MetricsRowJdbc.bind(replace, CallTotals.sum(minutes.getOrDefault(h, List.of()))
                            .toRow(h.tenant(), h.route(), h.model(), start, start.plusMillis(HOUR_MS), 1, hour.getValue()));
                    replace.addBatch();
                }
                replace.executeBatch();
            }
            c.commit();
            return hours.size();
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is dropped anyway
            }
            throw e;
        }
    }

    /** The minute rows of every given hour, as the table holds them now, in one query. */
    private static Map<SeriesHour, List<MetricsRow>> minutesOf(Connection c, Collection<SeriesHour> hours)
            throws SQLException {
        List<SeriesHour> all = new ArrayList<>(hours);
        try (PreparedStatement select = c.prepareStatement(MetricsRowJdbc.selectMinutesOfHours())) {
            select.setArray(1, c.createArrayOf("text", all.stream().map(SeriesHour::tenant).toArray()));
            select.setArray(2, c.createArrayOf("text", all.stream().map(SeriesHour::route).toArray()));
            select.setArray(3, c.createArrayOf("text", all.stream().map(SeriesHour::model).toArray()));
            select.setArray(4, c.createArrayOf("text",
                    all.stream().map(h -> Instant.ofEpochMilli(h.start()).toString()).toArray()));
            Map<SeriesHour, List<MetricsRow>> minutes = new HashMap<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    MetricsRow m = MetricsRowJdbc.read(rs);
                    long start = Math.floorDiv(m.windowStart().toEpochMilli(), HOUR_MS) * HOUR_MS;
                    minutes.computeIfAbsent(new SeriesHour(m.tenantId(), m.route(), m.model(), start),
                            k -> new ArrayList<>()).add(m);
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
