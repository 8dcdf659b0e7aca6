package dev.streamlens.job.io;

import dev.streamlens.job.alerts.OpenAlerts;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The alerts store as the job reads it: the {@code alerts} table the query service fills from
 * {@code llm.alerts} (docs/ALERTS.md). The job never writes it.
 */
public final class AlertsStore {

    /**
     * The newest transition of each alert (the latest firing time; of one episode, its resolution
     * after its firing), kept when it is a firing.
     */
    private static final String OPEN = "SELECT tenant_id, alert_id, rule_id, episode, "
            + "(extract(epoch FROM fired_at) * 1000)::bigint FROM ("
            + " SELECT DISTINCT ON (alert_id) tenant_id, alert_id, rule_id, episode, fired_at, state FROM alerts"
            + " ORDER BY alert_id, fired_at DESC, (state = 'resolved') DESC, id DESC) newest"
            + " WHERE state = 'firing'";

    private AlertsStore() {}

    /** The alerts left firing, read from PostgreSQL when a job starts without state. */
    public static OpenAlerts openAlerts(JdbcTarget target) {
        return new Open(target);
    }

    private record Open(JdbcTarget target) implements OpenAlerts {
        @Override
        public Map<String, List<Episode>> read() throws SQLException {
            Map<String, List<Episode>> open = new HashMap<>();
            try (Connection c = target.connect();
                    Statement select = c.createStatement();
                    ResultSet rs = select.executeQuery(OPEN)) {
                while (rs.next()) {
                    open.computeIfAbsent(rs.getString(1), tenant -> new ArrayList<>())
                            .add(new Episode(rs.getString(2), rs.getString(3), rs.getLong(5), rs.getLong(4)));
                }
            }
            return open;
        }
    }
}
