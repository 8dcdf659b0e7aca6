package dev.streamlens.query.attribution;

import dev.streamlens.model.MetricsRowJdbc;
import dev.streamlens.model.attribution.Contributors;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the end-user and session summaries of a tenant's metrics rows and merges them
 * (docs/ATTRIBUTION.md): from the hourly rows when the range is whole hours, else the minute rows.
 * Every value is a bound parameter; rows are streamed, never all held.
 */
@ApplicationScoped
public class ContributorsRepository {

    /** Ids a merged answer keeps per figure: far more than any ranking lists, so merging adds little error. */
    static final int QUERY_CAPACITY = 100_000;

    private static final int FETCH_SIZE = 500;

    @Inject
    AgroalDataSource dataSource;

    /** One row's summary with the span it covers. */
    private interface RowVisitor {
        void visit(Instant windowStart, Instant windowEnd, Contributors summary);
    }

    /** Every row's summary of the range merged into one. */
    public Contributors merged(ContributorKind kind, ContributorsQuery q) throws SQLException {
        Contributors merged = Contributors.withCapacity(QUERY_CAPACITY);
        scan(kind, q, wholeHours(q), (start, end, summary) -> merged.merge(summary));
        return merged;
    }

    /**
     * For each of these ids, the start of the first minute window and the end of the last one
     * whose summary holds it (a session's span, to the minute).
     */
    public Map<String, Instant[]> windowsHolding(ContributorKind kind, ContributorsQuery q, Set<String> ids)
            throws SQLException {
        Map<String, Instant[]> seen = new HashMap<>();
        scan(kind, q, false, (start, end, summary) -> {
            for (String id : ids) {
                if (summary.holds(id)) {
                    Instant[] span = seen.computeIfAbsent(id, i -> new Instant[] {start, end});
                    span[0] = start.isBefore(span[0]) ? start : span[0];
                    span[1] = end.isAfter(span[1]) ? end : span[1];
                }
            }
        });
        return seen;
    }

    /** One bucket of an id's figures over time. */
    public record Bucket(Instant start, Instant end, Contributors.Contributor figures, boolean any) {}

    /** The query's id in each bucket of its granularity that has rows, oldest first. */
    public List<Bucket> overTime(ContributorKind kind, ContributorsQuery q) throws SQLException {
        List<Bucket> answer = new ArrayList<>();
        for (Summary bucket : bucketed(kind, q)) {
            Contributors summary = bucket.summary();
            answer.add(new Bucket(bucket.start(), bucket.end(), summary.of(q.id()), summary.holds(q.id())));
        }
        return answer;
    }

    /** One bucket's rows merged. */
    public record Summary(Instant start, Instant end, Contributors summary) {}

    /** The rows' summaries merged per bucket of the query's granularity, oldest first. */
    public List<Summary> bucketed(ContributorKind kind, ContributorsQuery q) throws SQLException {
        long size = q.granularity().isWholeRange()
                ? q.to().toEpochMilli() - q.from().toEpochMilli()
                : q.granularity().size().toMillis();
        long origin = q.granularity().isWholeRange() ? q.from().toEpochMilli() : 0;
        boolean fromHours = q.granularity().size().compareTo(Duration.ofHours(1)) >= 0 && wholeHours(q);
        TreeMap<Long, Contributors> buckets = new TreeMap<>();
        scan(kind, q, fromHours, (start, end, summary) -> {
            long bucket = origin + Math.floorDiv(start.toEpochMilli() - origin, size) * size;
            buckets.computeIfAbsent(bucket, b -> Contributors.withCapacity(QUERY_CAPACITY))
                    .merge(summary);
        });
        List<Summary> answer = new ArrayList<>();
        for (Map.Entry<Long, Contributors> bucket : buckets.entrySet()) {
            answer.add(new Summary(
                    Instant.ofEpochMilli(bucket.getKey()),
                    Instant.ofEpochMilli(bucket.getKey() + size),
                    bucket.getValue()));
        }
        return answer;
    }

    /**
     * Forgets one id in every stored row of a tenant, minutes and hours, in one transaction: each
     * row holding it is rewritten without it (its calls stay in the row's totals, under no id).
     * Returns the rows rewritten.
     */
    public int forget(ContributorKind kind, String tenant, String id) throws SQLException {
        int rewritten = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String table : List.of(MetricsRowJdbc.MINUTES, MetricsRowJdbc.HOURS)) {
                    rewritten += forget(c, table, kind.column, tenant, id);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return rewritten;
    }

    private static int forget(Connection c, String table, String column, String tenant, String id) throws SQLException {
        int rewritten = 0;
        try (PreparedStatement select = c.prepareStatement("SELECT route, model, window_start, " + column + " FROM "
                        + table + " WHERE tenant_id = ? AND " + column + " IS NOT NULL FOR UPDATE");
                PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET " + column
                        + " = ? WHERE tenant_id = ? AND route = ? AND model = ? AND window_start = ?")) {
            select.setFetchSize(FETCH_SIZE);
            select.setString(1, tenant);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Contributors summary = Contributors.decode(rs.getBytes(4));
                    if (!summary.holds(id)) {
                        continue;
                    }
                    summary.forget(id);
                    update.setBytes(1, summary.encode());
                    update.setString(2, tenant);
                    update.setString(3, rs.getString(1));
                    update.setString(4, rs.getString(2));
                    update.setObject(5, rs.getObject(3, OffsetDateTime.class));
                    update.addBatch();
                    rewritten++;
                }
            }
            update.executeBatch();
        }
        return rewritten;
    }

    private static boolean wholeHours(ContributorsQuery q) {
        long hour = Duration.ofHours(1).toMillis();
        return q.from().toEpochMilli() % hour == 0 && q.to().toEpochMilli() % hour == 0;
    }

    private void scan(ContributorKind kind, ContributorsQuery q, boolean fromHours, RowVisitor visitor)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT window_start, window_end, " + kind.column + " FROM "
                + (fromHours ? MetricsRowJdbc.HOURS : MetricsRowJdbc.MINUTES)
                + " WHERE tenant_id = ? AND window_start >= ? AND window_start < ? AND " + kind.column
                + " IS NOT NULL");
        List<Object> args = new ArrayList<>(List.of(
                q.tenantId(),
                OffsetDateTime.ofInstant(q.from(), ZoneOffset.UTC),
                OffsetDateTime.ofInstant(q.to(), ZoneOffset.UTC)));
        if (q.route() != null) {
            sql.append(" AND route = ?");
            args.add(q.route());
        }
        if (q.model() != null) {
            sql.append(" AND model = ?");
            args.add(q.model());
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false); // PostgreSQL streams a result (fetch size) only inside a transaction
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setFetchSize(FETCH_SIZE);
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        visitor.visit(
                                rs.getObject(1, OffsetDateTime.class).toInstant(),
                                rs.getObject(2, OffsetDateTime.class).toInstant(),
                                Contributors.decode(rs.getBytes(3)));
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        }
    }
}
