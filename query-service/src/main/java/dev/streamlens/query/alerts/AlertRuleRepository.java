package dev.streamlens.query.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.AlertRule;
import dev.streamlens.model.EventJson;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules' durable home, {@code alert_rules} (sql/V6). Every change raises the rule's version and
 * leaves it unpublished until {@link AlertRulePublisher} has Kafka's acknowledgement; a deletion
 * keeps the row (deleted) so its tombstone and the last webhook are still known.
 */
@ApplicationScoped
public class AlertRuleRepository {

    private static final ObjectMapper JSON = EventJson.mapper();
    private static final String COLUMNS = "rule, deleted, created_at, updated_at, version";

    /** What a write did. */
    public enum Outcome {
        CREATED,
        REPLACED,
        ID_TAKEN,
        TOO_MANY_RULES
    }

    public record Written(Outcome outcome, StoredRule stored) {}

    @Inject
    AgroalDataSource dataSource;

    /**
     * Stores a rule: a new one (version 1; also over a deleted rule of the same tenant, its version
     * going on) or, with {@code replace}, a new version of the tenant's rule. A rule id held by
     * another tenant, or by this tenant when {@code replace} is false, is refused.
     */
    public Written write(AlertRule rule, boolean replace, int maxRulesPerTenant) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<StoredRule> existing = lockedRow(c, rule.ruleId());
                boolean live = existing.isPresent() && !existing.get().deleted();
                if (existing.isPresent()
                        && (!existing.get().rule().tenantId().equals(rule.tenantId()) || (live && !replace))) {
                    c.rollback();
                    return new Written(Outcome.ID_TAKEN, existing.get());
                }
                if (!live && liveRules(c, rule.tenantId()) >= maxRulesPerTenant) {
                    c.rollback();
                    return new Written(Outcome.TOO_MANY_RULES, null);
                }
                long version = existing.map(s -> s.rule().version() + 1).orElse(1L);
                AlertRule stored = rule.withIdentity(rule.ruleId(), rule.tenantId(), version);
                String sql = existing.isEmpty()
                        ? "INSERT INTO alert_rules (rule, version, rule_id, tenant_id) VALUES (?::jsonb, ?, ?, ?)"
                        : "UPDATE alert_rules SET rule = ?::jsonb, version = ?, deleted = false, updated_at = now() "
                                + "WHERE rule_id = ? AND tenant_id = ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, JSON.writeValueAsString(stored));
                    ps.setLong(2, version);
                    ps.setString(3, rule.ruleId());
                    ps.setString(4, rule.tenantId());
                    ps.executeUpdate();
                }
                StoredRule written = lockedRow(c, rule.ruleId()).orElseThrow();
                c.commit();
                return new Written(live ? Outcome.REPLACED : Outcome.CREATED, written);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } catch (JsonProcessingException e) {
                c.rollback();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Marks a tenant's rule deleted (a new version); false when it has no such live rule. */
    public boolean delete(String tenantId, String ruleId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("UPDATE alert_rules SET deleted = true, version = version + 1, "
                                + "updated_at = now() WHERE rule_id = ? AND tenant_id = ? AND NOT deleted")) {
            ps.setString(1, ruleId);
            ps.setString(2, tenantId);
            return ps.executeUpdate() == 1;
        }
    }

    /** A rule, live or deleted, whoever owns it. */
    public Optional<StoredRule> find(String ruleId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT " + COLUMNS + " FROM alert_rules WHERE rule_id = ?")) {
            ps.setString(1, ruleId);
            return first(ps);
        }
    }

    /** The live rules of a tenant, or of every tenant when null, by rule id. */
    public List<StoredRule> list(String tenantId, int limit) throws SQLException {
        String where = tenantId == null ? "NOT deleted" : "tenant_id = ? AND NOT deleted";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM alert_rules WHERE " + where
                        + " ORDER BY tenant_id, rule_id LIMIT " + limit)) {
            if (tenantId != null) {
                ps.setString(1, tenantId);
            }
            List<StoredRule> rules = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rules.add(read(rs));
                }
            }
            return rules;
        }
    }

    /** Ids of rules whose newest version Kafka has not acknowledged yet. */
    public List<String> unpublished(int limit) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT rule_id FROM alert_rules WHERE version > published_version "
                                + "ORDER BY updated_at LIMIT " + limit);
                ResultSet rs = ps.executeQuery()) {
            List<String> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }

    /**
     * Publishes a rule's newest version with its row locked, so two writers (or two service
     * instances) can never leave an older version last on the topic; the row is marked published
     * only once {@code send} returned, i.e. Kafka acknowledged.
     */
    public void publish(String ruleId, RuleSender send) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<StoredRule> row = lockedRow(c, ruleId);
                if (row.isPresent()) {
                    send.send(row.get());
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE alert_rules SET published_version = version WHERE rule_id = ?")) {
                        ps.setString(1, ruleId);
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Sends one stored rule to Kafka and returns once acknowledged (throws otherwise). */
    @FunctionalInterface
    public interface RuleSender {
        void send(StoredRule rule) throws Exception;
    }

    private int liveRules(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT count(*) FROM alert_rules WHERE tenant_id = ? AND NOT deleted")) {
            ps.setString(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private Optional<StoredRule> lockedRow(Connection c, String ruleId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + COLUMNS + " FROM alert_rules WHERE rule_id = ? FOR UPDATE")) {
            ps.setString(1, ruleId);
            return first(ps);
        }
    }

    private static Optional<StoredRule> first(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(read(rs)) : Optional.empty();
        }
    }

    private static StoredRule read(ResultSet rs) throws SQLException {
        try {
            // The column's version counts deletions too; the JSON's is that of the last write.
            AlertRule written = JSON.readValue(rs.getString(1), AlertRule.class);
            AlertRule rule = written.withIdentity(written.ruleId(), written.tenantId(), rs.getLong(5));
            return new StoredRule(
                    rule,
                    rs.getBoolean(2),
                    rs.getObject(3, OffsetDateTime.class).toInstant(),
                    rs.getObject(4, OffsetDateTime.class).toInstant());
        } catch (JsonProcessingException e) {
            throw new SQLException("alert_rules holds a rule that is not valid JSON", e);
        }
    }
}
