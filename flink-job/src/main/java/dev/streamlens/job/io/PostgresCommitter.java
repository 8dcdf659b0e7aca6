package dev.streamlens.job.io;

import dev.streamlens.model.MetricsRollup;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
 * guarded upsert ({@link MetricsRowJdbc#upsert}), then every hour they touch recomputed from the
 * hour's minute rows as the table now holds them. Hours are derived from the table, never from
 * job state, so they always equal the sum of their minutes — after a restore, a replay in another
 * order, or a start without state alike.
 *
 * <p>A failed write is retried (with back-off) by Flink; rows stay in the checkpoint until written.
 */
public final class PostgresCommitter implements Committer<RowBatch> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCommitter.class);
    private static final long HOUR_MS = Duration.ofHours(1).toMillis();
    private static final long MAX_BACKOFF_MS = 10_000;

    private record SeriesHour(String tenant, String route, String model, long start) {
    }

    private final JdbcTarget target;
    private final Counter rowsWritten;
    private final Counter hoursWritten;
    private Connection connection;

    public PostgresCommitter(JdbcTarget target, MetricGroup metrics) {
        this.target = target;
        this.rowsWritten = metrics.counter("streamlens_postgres_rows_written");
        this.hoursWritten = metrics.counter("streamlens_postgres_hours_written");
    }

    @Override
    public void commit(Collection<CommitRequest<RowBatch>> requests) throws InterruptedException {
        List<MetricsRow> rows = new ArrayList<>();
        requests.forEach(request -> rows.addAll(request.getCommittable().rows()));
        if (rows.isEmpty()) {
            return;
        }
        try {
            int hours = write(rows);
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

    /** Upserts the minute rows and recomputes their hours in one transaction; returns the hours written. */
    private int write(List<MetricsRow> rows) throws SQLException {
        Connection c = connection();
        try {
            try (PreparedStatement upsert = c.prepareStatement(MetricsRowJdbc.upsert(MetricsRowJdbc.MINUTES))) {
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
            try (PreparedStatement select = c.prepareStatement(MetricsRowJdbc.selectSeriesRange(MetricsRowJdbc.MINUTES));
                 PreparedStatement replace = c.prepareStatement(MetricsRowJdbc.replaceHour())) {
                for (Map.Entry<SeriesHour, String> hour : hours.entrySet()) {
                    MetricsRowJdbc.bind(replace, rollUp(select, hour.getKey(), hour.getValue()));
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

    private static MetricsRow rollUp(PreparedStatement select, SeriesHour hour, String jobRun) throws SQLException {
        Instant start = Instant.ofEpochMilli(hour.start());
        Instant end = start.plusMillis(HOUR_MS);
        select.setString(1, hour.tenant());
        select.setString(2, hour.route());
        select.setString(3, hour.model());
        select.setObject(4, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
        select.setObject(5, OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
        List<MetricsRow> minutes = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                minutes.add(MetricsRowJdbc.read(rs));
            }
        }
        return MetricsRollup.combine(hour.tenant(), hour.route(), hour.model(), start, end, minutes, 1, jobRun);
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
