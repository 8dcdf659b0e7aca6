package dev.streamlens.query.retention;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps the partitioned tables ready and bounded (docs/RETENTION.md): creates the partitions of the
 * days and months ahead, drops those past their retention, and deletes alert history past its own.
 * Runs at start and then every {@code streamlens.retention.interval}. Several query-service
 * instances may run it at once: each pass holds a transaction-scoped advisory lock, and an instance
 * that does not get it skips its pass (another one is doing the same work).
 */
@ApplicationScoped
public class PartitionMaintenance {

    private static final Logger LOG = Logger.getLogger(PartitionMaintenance.class);
    /** The advisory lock's key: any constant all instances share. */
    static final long LOCK_KEY = 0x5354524c4e53L; // "STRLNS"

    @Inject
    AgroalDataSource dataSource;

    @Inject
    RetentionSettings settings;

    void atStart(@Observes StartupEvent event) {
        runSafely();
    }

    @Scheduled(
            every = "${streamlens.retention.interval:1h}",
            delayed = "${streamlens.retention.interval:1h}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        runSafely();
    }

    private void runSafely() {
        try {
            run(Instant.now());
        } catch (SQLException e) {
            LOG.warnf("partition maintenance failed (%s); it runs again in %s", e.getMessage(), settings.interval());
        }
    }

    /** One pass as of {@code now}; empty when another instance held the lock. */
    public Optional<Pass> run(Instant now) throws SQLException {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate lastDay = LocalDate.ofInstant(now.plus(settings.partitionsAhead()), ZoneOffset.UTC);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!lock(c)) {
                    c.rollback();
                    return Optional.empty();
                }
                int created = count(c, "SELECT streamlens_ensure_minute_partitions(?, ?)", today, lastDay)
                        + count(c, "SELECT streamlens_ensure_hourly_partitions(?, ?)", today, lastDay);
                int dropped = expire(c, "llm_metrics", now, settings.minuteRows())
                        + expire(c, "llm_metrics_hourly", now, settings.hourlyRows());
                int alertsDeleted = deleteAlerts(c, now);
                c.commit();
                Pass pass = new Pass(created, dropped, alertsDeleted);
                if (created + dropped + alertsDeleted > 0) {
                    LOG.infof(
                            "partitions: %d created, %d dropped; %d alert transitions past retention deleted",
                            created, dropped, alertsDeleted);
                }
                return Optional.of(pass);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** What one pass did. */
    public record Pass(int partitionsCreated, int partitionsDropped, int alertsDeleted) {}

    private static boolean lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static int count(Connection c, String sql, LocalDate first, LocalDate last) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, first);
            ps.setObject(2, last);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static int expire(Connection c, String table, Instant now, Duration retention) throws SQLException {
        if (retention.isZero()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT streamlens_expire_partitions(?, ?)")) {
            ps.setString(1, table);
            ps.setObject(2, OffsetDateTime.ofInstant(now.minus(retention), ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private int deleteAlerts(Connection c, Instant now) throws SQLException {
        if (settings.alerts().isZero()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM alerts WHERE window_end < ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(now.minus(settings.alerts()), ZoneOffset.UTC));
            return ps.executeUpdate();
        }
    }
}
