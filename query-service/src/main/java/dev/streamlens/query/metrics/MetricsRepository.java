package dev.streamlens.query.metrics;

import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricColumns;
import dev.streamlens.model.MetricsRowJdbc;
import dev.streamlens.model.Rollup;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads llm_metrics. The plain call returns the job's rows as they are (columns and reading from
 * {@link MetricsRowJdbc}); coarser granularities and groupings sum the additive columns in SQL and
 * merge the rows' latency sketches into {@link CallTotals}, which derives averages and percentiles
 * as the job does (never averages of percentiles). Every value is a bound parameter.
 */
@ApplicationScoped
public class MetricsRepository {

    /** The additive columns summed and the sketches gathered ({@link MetricColumns}), each under its column's name. */
    private static final String SUMS = Stream.concat(
                    combined(),
                    MetricColumns.rolledUpBy(Rollup.Kind.SKETCH).stream()
                            .map(c -> "array_agg(" + c.name() + ") FILTER (WHERE " + c.name() + " IS NOT NULL) AS "
                                    + c.name()))
            .collect(Collectors.joining(", "));
    /** The same without the sketches (percentiles=false): most of a rollup's bytes and time. */
    private static final String SUMS_WITHOUT_SKETCHES = Stream.concat(
                    combined(),
                    MetricColumns.rolledUpBy(Rollup.Kind.SKETCH).stream().map(c -> "NULL::bytea[] AS " + c.name()))
            .collect(Collectors.joining(", "));

    /** The columns combined row by row: summed, or the highest (the price version) kept. */
    private static Stream<String> combined() {
        return Stream.concat(
                MetricColumns.rolledUpBy(Rollup.Kind.SUM).stream().map(c -> "sum(" + c.name() + ") AS " + c.name()),
                MetricColumns.rolledUpBy(Rollup.Kind.HIGHEST).stream()
                        .map(c -> "max(" + c.name() + ") AS " + c.name()));
    }

    @Inject
    AgroalDataSource dataSource;

    /**
     * Rows of an answer. A rollup holding more rows than the limit is cut at a bucket boundary:
     * {@code nextTo} is then the end of the newest bucket left out, to send as {@code to} next.
     */
    public record Page(List<MetricsAnswerRow> rows, boolean rollup, Instant nextTo) {
        public boolean truncated() {
            return nextTo != null;
        }
    }

    @Inject
    PipelineProgressRepository progress;

    /** The rows of a query, each marked final or not by the job's progress read just before them. */
    public Page find(MetricsQuery q) throws SQLException {
        Optional<Freshness> freshness = progress.read();
        return q.isStoredMinuteRows()
                ? new Page(storedMinuteRows(q, freshness), false, null)
                : rollupPage(q, freshness);
    }

    /** Reads one row past the limit to know whether buckets were left out, and never returns half a bucket. */
    private Page rollupPage(MetricsQuery q, Optional<Freshness> freshness) throws SQLException {
        List<MetricsAnswerRow> rows = rollup(q, q.limit() + 1, freshness);
        if (rows.size() <= q.limit()) {
            return new Page(rows, true, null);
        }
        rows = new ArrayList<>(rows.subList(0, q.limit()));
        Instant oldest = rows.get(rows.size() - 1).windowStart();
        List<MetricsAnswerRow> whole =
                rows.stream().filter(r -> !r.windowStart().equals(oldest)).toList();
        if (whole.isEmpty()) {
            // One bucket holds more groups than the limit: it is returned cut, and the next page goes on before it.
            return new Page(rows, true, oldest);
        }
        return new Page(
                whole,
                true,
                q.granularity().isWholeRange()
                        ? q.to()
                        : oldest.plus(q.granularity().size()));
    }

    /**
     * How far back the latest rows are looked for first, then further: a bound lets PostgreSQL read
     * only the newest day partitions instead of opening every partition of the table (docs/RETENTION.md).
     */
    private static final List<Duration> LATEST_ROWS_SEARCH = List.of(Duration.ofDays(1), Duration.ofDays(36));

    private List<MetricsAnswerRow> storedMinuteRows(MetricsQuery q, Optional<Freshness> freshness) throws SQLException {
        if (q.from() == null) {
            // The newest rows: if at least `limit` rows lie after a bound, they are the newest of all,
            // since every older row sorts after them.
            for (Duration back : LATEST_ROWS_SEARCH) {
                List<MetricsAnswerRow> rows = storedMinuteRows(q, Instant.now().minus(back), freshness);
                if (rows.size() == q.limit()) {
                    return rows;
                }
            }
        }
        return storedMinuteRows(q, null, freshness);
    }

    private List<MetricsAnswerRow> storedMinuteRows(MetricsQuery q, Instant notBefore, Optional<Freshness> freshness)
            throws SQLException {
        StringBuilder sql = new StringBuilder(
                "SELECT " + MetricsRowJdbc.FIGURE_COLUMNS + " FROM " + MetricsRowJdbc.MINUTES + " WHERE tenant_id = ?");
        List<Object> args = new ArrayList<>(List.of(q.tenantId()));
        filters(q, sql, args);
        if (notBefore != null) {
            sql.append(" AND window_start >= ?");
            args.add(OffsetDateTime.ofInstant(notBefore, ZoneOffset.UTC));
        }
        sql.append(" ORDER BY window_start DESC, route, model LIMIT ?");
        args.add(q.limit());
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = prepare(c, sql.toString(), args);
                ResultSet rs = ps.executeQuery()) {
            List<MetricsAnswerRow> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(MetricsAnswerRow.of(MetricsRowJdbc.read(rs), freshness));
            }
            return rows;
        }
    }

    private List<MetricsAnswerRow> rollup(MetricsQuery q, int limit, Optional<Freshness> freshness)
            throws SQLException {
        String dimensions = (q.byRoute() ? ", route" : "") + (q.byModel() ? ", model" : "");
        // The origin carries its offset: a bare '1970-01-01' would be midnight in the session's time zone,
        // which the JDBC driver sets from the JVM's, and hours would start at :30 under Asia/Kolkata.
        StringBuilder sql = new StringBuilder("SELECT "
                + (q.granularity().isWholeRange()
                        ? "?::timestamptz"
                        : "date_bin(?::interval, window_start, TIMESTAMPTZ '1970-01-01 00:00:00+00')")
                + " AS bucket"
                + dimensions + ", " + (q.percentiles() ? SUMS : SUMS_WITHOUT_SKETCHES) + " FROM " + source(q)
                + " WHERE tenant_id = ?");
        List<Object> args = new ArrayList<>(List.of(
                q.granularity().isWholeRange()
                        ? OffsetDateTime.ofInstant(q.from(), ZoneOffset.UTC)
                        : q.granularity().size().toSeconds() + " seconds",
                q.tenantId()));
        filters(q, sql, args);
        sql.append(" GROUP BY bucket")
                .append(dimensions)
                .append(" ORDER BY bucket DESC")
                .append(dimensions)
                .append(" LIMIT ?");
        args.add(limit);
        long sizeMs = q.granularity().isWholeRange()
                ? q.to().toEpochMilli() - q.from().toEpochMilli()
                : q.granularity().size().toMillis();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = prepare(c, sql.toString(), args);
                ResultSet rs = ps.executeQuery()) {
            List<MetricsAnswerRow> rows = new ArrayList<>();
            while (rs.next()) {
                Instant bucket = rs.getObject("bucket", OffsetDateTime.class).toInstant();
                String route = q.byRoute() ? rs.getString("route") : null;
                String model = q.byModel() ? rs.getString("model") : null;
                CallTotals.Builder totals = CallTotals.builder();
                for (MetricColumns.Column column : CallTotals.summedColumns()) {
                    totals.sum(column.name(), MetricsRowJdbc.value(rs, column));
                }
                for (MetricColumns.Column column : CallTotals.sketchColumns()) {
                    totals.sketch(column.name(), merge(rs.getArray(column.name())));
                }
                rows.add(MetricsAnswerRow.ofBucket(
                        q.tenantId(), route, model, bucket, bucket.plusMillis(sizeMs), totals.build(), freshness));
            }
            return rows;
        }
    }

    /**
     * Hours and days are summed from the job's hourly rollups (60 times fewer rows and sketches to
     * merge); finer buckets from the minute rows; one bucket over the range from the hours when
     * the range is whole hours.
     */
    private static String source(MetricsQuery q) {
        if (q.granularity().isWholeRange()) {
            long hourMs = Duration.ofHours(1).toMillis();
            boolean wholeHours = q.from().toEpochMilli() % hourMs == 0 && q.to().toEpochMilli() % hourMs == 0;
            return wholeHours ? MetricsRowJdbc.HOURS : MetricsRowJdbc.MINUTES;
        }
        return q.granularity().size().toMinutes() >= 60 ? MetricsRowJdbc.HOURS : MetricsRowJdbc.MINUTES;
    }

    /** Merges the encoded sketches of the rows a bucket covers into one. */
    private static LatencySketch merge(Array sketches) throws SQLException {
        LatencySketch merged = LatencySketch.create();
        if (sketches != null) {
            for (Object encoded : (Object[]) sketches.getArray()) {
                merged.merge(LatencySketch.decode((byte[]) encoded));
            }
            sketches.free();
        }
        return merged;
    }

    private static void filters(MetricsQuery q, StringBuilder sql, List<Object> args) {
        if (q.route() != null) {
            sql.append(" AND route = ?");
            args.add(q.route());
        }
        if (q.model() != null) {
            sql.append(" AND model = ?");
            args.add(q.model());
        }
        if (q.from() != null) {
            sql.append(" AND window_start >= ?");
            args.add(OffsetDateTime.ofInstant(q.from(), ZoneOffset.UTC));
        }
        if (q.to() != null) {
            sql.append(" AND window_start < ?");
            args.add(OffsetDateTime.ofInstant(q.to(), ZoneOffset.UTC));
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, List<Object> args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
        return ps;
    }
}
