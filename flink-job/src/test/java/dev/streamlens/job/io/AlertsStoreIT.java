package dev.streamlens.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.alerts.OpenAlerts;
import dev.streamlens.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a job started without state reads from the alerts store (the {@code alerts} table as the
 * query service writes it, migrated by the project's own migrations): the alerts whose newest
 * transition is a firing.
 */
class AlertsStoreIT {

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long T0 = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;

    @Test
    void theOpenEpisodesAreTheAlertsWhoseNewestTransitionIsAFiring() throws Exception {
        store("acme", "errors", "errors", 1, T0, "firing"); // episode 1: fired, resolved
        store("acme", "errors", "errors", 1, T0, "resolved");
        store("acme", "errors", "errors", 2, T0 + 10 * MINUTE, "firing"); // episode 2: still open
        store("acme", "cost", "cost", 1, T0 + 5 * MINUTE, "firing"); // fired, resolved: closed
        store("acme", "cost", "cost", 1, T0 + 5 * MINUTE, "resolved");
        store("beta", "unpriced|model=x", "unpriced", 3, T0 + MINUTE, "firing");

        JdbcTarget target = new JdbcTarget(POSTGRES.jdbcUrl(), "postgres", "postgres");
        Map<String, List<OpenAlerts.Episode>> open =
                AlertsStore.openAlerts(target).read();

        assertThat(open).containsOnlyKeys("acme", "beta");
        assertThat(open.get("acme")).containsExactly(new OpenAlerts.Episode("errors", "errors", T0 + 10 * MINUTE, 2));
        assertThat(open.get("beta"))
                .containsExactly(new OpenAlerts.Episode("unpriced|model=x", "unpriced", T0 + MINUTE, 3));
    }

    private static void store(String tenant, String alertId, String ruleId, long episode, long firedAt, String state)
            throws Exception {
        try (Connection c = POSTGRES.dataSource().getConnection();
                PreparedStatement insert = c.prepareStatement("INSERT INTO alerts (idempotency_key, alert_id, rule_id, "
                        + "tenant_id, state, episode, fired_at, window_start, window_end, transition, delivery_status) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}'::jsonb, 'none')")) {
            insert.setString(1, alertId + "/" + firedAt + "/" + state);
            insert.setString(2, alertId);
            insert.setString(3, ruleId);
            insert.setString(4, tenant);
            insert.setString(5, state);
            insert.setLong(6, episode);
            insert.setTimestamp(7, new Timestamp(firedAt));
            insert.setTimestamp(8, new Timestamp(firedAt - MINUTE));
            insert.setTimestamp(9, new Timestamp(firedAt));
            insert.executeUpdate();
        }
    }
}
