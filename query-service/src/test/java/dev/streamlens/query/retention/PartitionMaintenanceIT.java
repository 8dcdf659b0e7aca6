package dev.streamlens.query.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.query.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Partition maintenance on a real PostgreSQL, its passes run as of dates far ahead so every
 * partition it touches is its own: partitions made for the days ahead, rows that arrived in the
 * default partition moved into their new partition, partitions past the retention dropped (and
 * the default partition's old rows deleted) while newer ones stay, old alert history deleted,
 * and a second instance skipping its pass while another holds the lock.
 */
@QuarkusTest
@TestProfile(PartitionMaintenanceIT.OwnDatabase.class)
@WithTestResource(PostgresTestResource.class)
class PartitionMaintenanceIT {

    /** A database of its own (the passes below drop partitions other tests' rows live in); no scheduled pass meanwhile. */
    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamlens.retention.interval", "24h");
        }
    }

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    @Inject
    PartitionMaintenance maintenance;

    @Inject
    RetentionSettings settings;

    @Test
    void makesPartitionsAheadMovesStrayRowsAndDropsWhatIsPastRetention() throws Exception {
        Instant now = Instant.parse("2031-06-15T12:00:00Z");
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant cutoff = now.minus(settings.minuteRows());
        // Written before any maintenance reached these dates: rows land in the default partition.
        insertMinute("stray-ahead", now.plus(Duration.ofDays(3)));
        insertMinute("stray-old", cutoff.minus(Duration.ofDays(10)));
        insertAlert("old-alert", now.minus(settings.alerts()).minus(Duration.ofDays(1)));
        insertAlert("recent-alert", now.minus(Duration.ofDays(1)));
        assertThat(partitionOf("stray-ahead")).isEqualTo("llm_metrics_default");

        // A pass three days before the cutoff: the days around the cutoff get their partitions.
        maintenance.run(cutoff.minus(Duration.ofDays(3)));
        insertMinute("expired", cutoff.minus(Duration.ofDays(1)).minus(Duration.ofHours(1)));
        insertMinute("kept", cutoff.plus(Duration.ofHours(1)));
        String expiredPartition = partitionOf("expired");
        assertThat(expiredPartition).startsWith("llm_metrics_p");
        assertThat(partitionOf("kept")).startsWith("llm_metrics_p");

        PartitionMaintenance.Pass pass = maintenance.run(now).orElseThrow();

        List<String> ahead = new ArrayList<>();
        for (int d = 0; d <= settings.partitionsAhead().toDays(); d++) {
            ahead.add("llm_metrics_p" + today.plusDays(d).format(DAY));
        }
        assertThat(tables("llm_metrics_p2031%")).containsAll(ahead);
        assertThat(tables("llm_metrics_hourly_p203106")).hasSize(1);
        assertThat(pass.partitionsCreated()).isEqualTo(ahead.size() + 1);
        assertThat(partitionOf("stray-ahead"))
                .isEqualTo("llm_metrics_p" + today.plusDays(3).format(DAY));
        assertThat(partitionOf("kept")).startsWith("llm_metrics_p");
        assertThat(partitionOf("expired")).as("dropped with its partition").isNull();
        assertThat(tables(expiredPartition)).isEmpty();
        assertThat(partitionOf("stray-old"))
                .as("deleted from the default partition")
                .isNull();
        assertThat(pass.partitionsDropped()).isPositive();
        assertThat(alerts()).containsExactly("recent-alert");

        // A second pass finds nothing to do.
        assertThat(maintenance.run(now).orElseThrow()).isEqualTo(new PartitionMaintenance.Pass(0, 0, 0));
    }

    @Test
    void anInstanceSkipsItsPassWhileAnotherHoldsTheLock() throws Exception {
        try (Connection other = dataSource().getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement ps = other.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, PartitionMaintenance.LOCK_KEY);
                ps.execute();
            }
            assertThat(maintenance.run(Instant.now())).isEmpty();
            other.rollback();
        }
        assertThat(maintenance.run(Instant.now())).isPresent();
    }

    private static DataSource dataSource() {
        return PostgresTestResource.dataSource();
    }

    private static void insertMinute(String tenant, Instant windowStart) throws SQLException {
        try (Connection c = dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO llm_metrics (tenant_id, route, model, window_start, window_end, requests) VALUES (?, 'r', 'm', ?, ?, 1)")) {
            ps.setString(1, tenant);
            ps.setObject(2, windowStart.atOffset(ZoneOffset.UTC));
            ps.setObject(3, windowStart.plusSeconds(60).atOffset(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    private static void insertAlert(String key, Instant windowEnd) throws SQLException {
        try (Connection c = dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("""
                INSERT INTO alerts (idempotency_key, alert_id, rule_id, tenant_id, state, episode, fired_at, window_start,
                                    window_end, transition, delivery_status)
                VALUES (?, ?, 'rule', 'retention-test', 'firing', 1, ?, ?, ?, '{}', 'none')""")) {
            ps.setString(1, key);
            ps.setString(2, key);
            ps.setObject(3, windowEnd.atOffset(ZoneOffset.UTC));
            ps.setObject(4, windowEnd.minusSeconds(60).atOffset(ZoneOffset.UTC));
            ps.setObject(5, windowEnd.atOffset(ZoneOffset.UTC));
            ps.executeUpdate();
        }
    }

    /** The partition holding the tenant's row, or null when it is gone. */
    private static String partitionOf(String tenant) throws SQLException {
        List<String> found = strings("SELECT tableoid::regclass::text FROM llm_metrics WHERE tenant_id = ?", tenant);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<String> tables(String pattern) throws SQLException {
        return strings("SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE ? ORDER BY relname", pattern);
    }

    private static List<String> alerts() throws SQLException {
        return strings("SELECT idempotency_key FROM alerts WHERE tenant_id = 'retention-test' ORDER BY 1", null);
    }

    private static List<String> strings(String sql, String parameter) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
