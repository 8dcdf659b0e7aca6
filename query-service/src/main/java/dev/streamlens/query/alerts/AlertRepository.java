package dev.streamlens.query.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.EventJson;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code alerts} table (sql/V6): every transition once, by idempotency key, with its webhook
 * delivery. A transition arriving again (a redelivered record, a replay) changes nothing.
 */
@ApplicationScoped
public class AlertRepository {

    private static final ObjectMapper JSON = EventJson.mapper();

    /** A delivery to make: the transition and where it goes. */
    public record Delivery(
            long id,
            String idempotencyKey,
            String alertId,
            String url,
            String format,
            int attempts,
            Instant receivedAt,
            AlertTransition transition) {}

    @Inject
    AgroalDataSource dataSource;

    /**
     * Stores transitions in one transaction, each with the webhook of its rule (also of a deleted
     * rule, whose deletion resolves its alerts), found by the same statement; returns how many were new.
     */
    public int store(List<AlertTransition> transitions) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO alerts (idempotency_key, alert_id, rule_id, tenant_id, "
                                + "state, episode, fired_at, window_start, window_end, transition, webhook_url, webhook_format, "
                                + "delivery_status, next_attempt_at) SELECT t.*, r.rule->>'webhook_url', "
                                + "CASE WHEN r.rule->>'webhook_url' IS NULL THEN NULL ELSE coalesce(r.rule->>'webhook_format', 'json') END, "
                                + "CASE WHEN r.rule->>'webhook_url' IS NULL THEN 'none' ELSE 'pending' END, now() "
                                + "FROM (SELECT ?::text, ?::text, ?::text, ?::text, ?::text, ?::bigint, ?::timestamptz, ?::timestamptz, "
                                + "?::timestamptz, ?::jsonb) t (key, alert_id, rule_id, tenant_id, state, episode, fired_at, "
                                + "window_start, window_end, transition) LEFT JOIN alert_rules r ON r.rule_id = t.rule_id "
                                + "ON CONFLICT (idempotency_key) DO NOTHING")) {
            c.setAutoCommit(false);
            for (AlertTransition t : transitions) {
                ps.setString(1, t.idempotencyKey());
                ps.setString(2, t.alertId());
                ps.setString(3, t.ruleId());
                ps.setString(4, t.tenantId());
                ps.setString(5, t.state());
                ps.setLong(6, t.episode());
                ps.setTimestamp(7, Timestamp.from(t.firedAt()));
                ps.setTimestamp(8, Timestamp.from(t.windowStart()));
                ps.setTimestamp(9, Timestamp.from(t.windowEnd()));
                ps.setString(10, json(t));
                ps.addBatch();
            }
            int added = 0;
            for (int rows : ps.executeBatch()) {
                added += Math.max(rows, 0);
            }
            c.commit();
            return added;
        }
    }

    /**
     * Claims up to {@code limit} deliveries that are due, lending each to the caller for
     * {@code lease} (another instance skips them meanwhile). A transition waits while an earlier
     * one of the same alert is undelivered, so a receiver never hears "resolved" before "firing".
     */
    public List<Delivery> claimDue(int limit, Duration lease) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE alerts SET next_attempt_at = now() + ? * interval '1 millisecond' "
                                + "WHERE id IN (SELECT a.id FROM alerts a WHERE a.delivery_status IN ('pending', 'retrying') "
                                + "AND a.next_attempt_at <= now() AND NOT EXISTS (SELECT 1 FROM alerts e WHERE e.alert_id = a.alert_id "
                                + "AND e.id < a.id AND e.delivery_status IN ('pending', 'retrying')) "
                                + "ORDER BY a.id LIMIT ? FOR UPDATE SKIP LOCKED) "
                                + "RETURNING id, idempotency_key, alert_id, webhook_url, webhook_format, delivery_attempts, received_at, transition")) {
            ps.setLong(1, lease.toMillis());
            ps.setInt(2, limit);
            List<Delivery> due = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    due.add(new Delivery(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getInt(6),
                            rs.getObject(7, OffsetDateTime.class).toInstant(),
                            transition(rs.getString(8))));
                }
            }
            due.sort((a, b) -> Long.compare(a.id(), b.id()));
            return due;
        }
    }

    public void delivered(long id) throws SQLException {
        update(
                "UPDATE alerts SET delivery_status = 'delivered', delivery_attempts = delivery_attempts + 1, "
                        + "delivered_at = now(), last_error = NULL, next_attempt_at = NULL WHERE id = ?",
                id,
                null,
                null);
    }

    /** An attempt failed: try again after {@code retryIn}, or never again when it is null (status failed). */
    public void failed(long id, String error, Duration retryIn) throws SQLException {
        error = error == null ? "failed" : error;
        if (retryIn == null) {
            update(
                    "UPDATE alerts SET delivery_status = 'failed', delivery_attempts = delivery_attempts + 1, "
                            + "last_error = ?, next_attempt_at = NULL WHERE id = ?",
                    id,
                    error,
                    null);
        } else {
            update(
                    "UPDATE alerts SET delivery_status = 'retrying', delivery_attempts = delivery_attempts + 1, "
                            + "last_error = ?, next_attempt_at = now() + ? * interval '1 millisecond' WHERE id = ?",
                    id,
                    error,
                    retryIn);
        }
    }

    /** Deliveries not made yet (pending or retrying), for the metrics gauge. */
    public long undelivered() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM alerts WHERE delivery_status IN ('pending', 'retrying')");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The newest transition of every alert of a tenant whose newest transition is "firing": the
     * alerts firing now.
     */
    public List<JsonNode> firing(String tenantId, int limit) throws SQLException {
        return query(
                "SELECT * FROM (SELECT DISTINCT ON (alert_id) " + ROW + " FROM alerts WHERE tenant_id = ? "
                        + "ORDER BY alert_id, id DESC) newest WHERE state = 'firing' ORDER BY fired_at DESC LIMIT "
                        + limit,
                tenantId,
                null,
                null);
    }

    /** A tenant's transitions whose evaluation window ended in [from, to), newest first. */
    public List<JsonNode> history(String tenantId, Instant from, Instant to, int limit) throws SQLException {
        return query(
                "SELECT " + ROW + " FROM alerts WHERE tenant_id = ? AND window_end >= ? AND window_end < ? "
                        + "ORDER BY window_end DESC, id DESC LIMIT " + limit,
                tenantId,
                from,
                to);
    }

    private static final String ROW = "transition, delivery_status, delivery_attempts, last_error, delivered_at, "
            + "received_at, webhook_url IS NOT NULL AS has_webhook, state, id, alert_id, fired_at";

    private List<JsonNode> query(String sql, String tenantId, Instant from, Instant to) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenantId);
            if (from != null) {
                ps.setTimestamp(2, Timestamp.from(from));
                ps.setTimestamp(3, Timestamp.from(to));
            }
            List<JsonNode> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode row = (ObjectNode) JSON.readTree(rs.getString(1));
                    ObjectNode delivery = row.putObject("delivery");
                    delivery.put("status", rs.getString(2));
                    delivery.put("attempts", rs.getInt(3));
                    delivery.put("last_error", rs.getString(4));
                    OffsetDateTime deliveredAt = rs.getObject(5, OffsetDateTime.class);
                    delivery.put(
                            "delivered_at",
                            deliveredAt == null ? null : deliveredAt.toInstant().toString());
                    row.put(
                            "received_at",
                            rs.getObject(6, OffsetDateTime.class).toInstant().toString());
                    rows.add(row);
                }
            } catch (JsonProcessingException e) {
                throw new SQLException("alerts holds a transition that is not valid JSON", e);
            }
            return rows;
        }
    }

    private void update(String sql, long id, String error, Duration retryIn) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (error != null) {
                ps.setString(i++, error.length() > 1000 ? error.substring(0, 1000) : error);
            }
            if (retryIn != null) {
                ps.setLong(i++, retryIn.toMillis());
            }
            ps.setLong(i, id);
            ps.executeUpdate();
        }
    }

    private static String json(AlertTransition t) {
        try {
            return JSON.writeValueAsString(t);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AlertTransition transition(String json) throws SQLException {
        try {
            return JSON.readValue(json, AlertTransition.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("alerts holds a transition that is not valid JSON", e);
        }
    }
}
