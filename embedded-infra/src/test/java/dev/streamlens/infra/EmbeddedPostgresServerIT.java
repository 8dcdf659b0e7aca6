package dev.streamlens.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migrations on a real PostgreSQL: table, key, indexes, upsert semantics, and restart. */
class EmbeddedPostgresServerIT {

    @TempDir
    Path dataDirectories;

    /** A fresh data directory (a short path: PostgreSQL's socket path has a length limit). */
    private Path dataDirectory(String name) throws IOException {
        return Files.createDirectories(dataDirectories.resolve(name));
    }

    /** The upsert the job issues: full values keyed on the unique key, never increments. */
    private static final String UPSERT = """
            INSERT INTO llm_metrics (tenant_id, route, model, window_start, window_end, requests, errors,
                                     timeouts, estimated_cost_usd, revision)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, route, model, window_start) DO UPDATE SET
                window_end = EXCLUDED.window_end, requests = EXCLUDED.requests, errors = EXCLUDED.errors,
                timeouts = EXCLUDED.timeouts, estimated_cost_usd = EXCLUDED.estimated_cost_usd,
                revision = EXCLUDED.revision, updated_at = now()
            """;

    @Test
    void migrationsCreateTheTableKeyAndIndexesAndUpsertReplacesAndDataSurvivesRestart() throws Exception {
        try (EmbeddedPostgresServer pg =
                EmbeddedPostgresServer.create(dataDirectory("pg"), 0).start()) {
            DataSource ds = pg.dataSource();

            Map<String, String> columns = columns(ds);
            assertThat(columns)
                    .containsEntry("tenant_id", "character varying")
                    .containsEntry("window_start", "timestamp with time zone")
                    .containsEntry("window_end", "timestamp with time zone")
                    .containsEntry("requests", "bigint")
                    .containsEntry("errors", "bigint")
                    .containsEntry("timeouts", "bigint")
                    .containsEntry("avg_latency_ms", "double precision")
                    .containsEntry("p50_latency_ms", "double precision")
                    .containsEntry("p95_latency_ms", "double precision")
                    .containsEntry("p99_latency_ms", "double precision")
                    .containsEntry("avg_prompt_tokens", "double precision")
                    .containsEntry("avg_completion_tokens", "double precision")
                    .containsEntry("total_prompt_tokens", "bigint")
                    .containsEntry("total_completion_tokens", "bigint")
                    .containsEntry("estimated_cost_usd", "numeric")
                    .containsEntry("latency_sketch", "bytea")
                    .containsEntry("revision", "integer")
                    .containsEntry("updated_at", "timestamp with time zone");

            assertThat(uniqueKeyColumns(ds)).containsExactly("tenant_id", "route", "model", "window_start");
            Map<String, String> indexes = indexes(ds);
            assertThat(indexes.get("idx_llm_metrics_tenant_time")).contains("(tenant_id, window_start DESC)");
            assertThat(indexes)
                    .as("the unique key's index serves one series' windows")
                    .doesNotContainKey("idx_llm_metrics_composite");

            Instant start = Instant.parse("2025-11-20T10:00:00Z");
            upsert(ds, start, 45, 2, "1.250000000001", 1);
            upsert(ds, start, 47, 3, "1.300000000000", 2);
            assertThat(rows(ds)).containsExactly("acme|47|3|1.300000000000|2");

            pg.stop();
            pg.start();
            assertThat(rows(pg.dataSource())).containsExactly("acme|47|3|1.300000000000|2");
        }
    }

    @Test
    void aDurableServerSyncsEveryCommitAndTheDefaultOneDoesNot() throws Exception {
        try (EmbeddedPostgresServer durable = EmbeddedPostgresServer.create(dataDirectory("pg-durable"), 0)
                        .durable()
                        .start();
                EmbeddedPostgresServer scratch = EmbeddedPostgresServer.create(dataDirectory("pg-scratch"), 0)
                        .start()) {
            assertThat(setting(durable.dataSource(), "fsync")).isEqualTo("on");
            assertThat(setting(durable.dataSource(), "synchronous_commit")).isEqualTo("on");
            assertThat(setting(scratch.dataSource(), "synchronous_commit")).isEqualTo("off");
        }
    }

    private static String setting(DataSource ds, String name) throws java.sql.SQLException {
        try (java.sql.Connection c = ds.getConnection();
                java.sql.ResultSet rs = c.createStatement().executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void upsert(DataSource ds, Instant start, long requests, long errors, String cost, int revision)
            throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(UPSERT)) {
            ps.setString(1, "acme");
            ps.setString(2, "chat");
            ps.setString(3, "gpt-4");
            ps.setTimestamp(4, Timestamp.from(start));
            ps.setTimestamp(5, Timestamp.from(start.plusSeconds(60)));
            ps.setLong(6, requests);
            ps.setLong(7, errors);
            ps.setLong(8, 0);
            ps.setBigDecimal(9, new java.math.BigDecimal(cost));
            ps.setInt(10, revision);
            ps.executeUpdate();
        }
    }

    private static List<String> rows(DataSource ds) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT tenant_id, requests, errors, estimated_cost_usd, revision FROM llm_metrics")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getLong(3) + "|"
                        + rs.getBigDecimal(4).toPlainString() + "|" + rs.getInt(5));
            }
        }
        return rows;
    }

    private static Map<String, String> columns(DataSource ds) throws SQLException {
        Map<String, String> columns = new HashMap<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'llm_metrics'")) {
            while (rs.next()) {
                columns.put(rs.getString(1), rs.getString(2));
            }
        }
        return columns;
    }

    /** Columns of the table's UNIQUE constraint, in key order, from the catalog. */
    private static List<String> uniqueKeyColumns(DataSource ds) throws SQLException {
        List<String> key = new ArrayList<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.createStatement().executeQuery("""
                SELECT a.attname
                FROM pg_constraint con
                JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                WHERE con.conrelid = 'llm_metrics'::regclass AND con.contype = 'u'
                ORDER BY k.ord
                """)) {
            while (rs.next()) {
                key.add(rs.getString(1));
            }
        }
        return key;
    }

    private static Map<String, String> indexes(DataSource ds) throws SQLException {
        Map<String, String> indexes = new HashMap<>();
        try (Connection c = ds.getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'llm_metrics'")) {
            while (rs.next()) {
                indexes.put(rs.getString(1), rs.getString(2));
            }
        }
        return indexes;
    }
}
