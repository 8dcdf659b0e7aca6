package dev.streamlens.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V7 on a database that holds rows: both tables become partitioned, every row is there afterwards
 * with every column unchanged, in the partition of its day (month), none left in the default
 * partition; ids go on from the old sequence and the job's upsert works on the new tables.
 */
class PartitionMigrationIT {

    @TempDir
    Path directories;

    @Test
    void everyRowMovesUnchangedIntoThePartitionOfItsDay() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(Files.createDirectories(directories.resolve("pg")))
                .setCleanDataDirectory(true)
                .setPort(0)
                .start()) {
            DataSource ds = pg.getPostgresDatabase();
            Flyway.configure()
                    .dataSource(ds)
                    .locations(SchemaMigrations.LOCATION)
                    .target("6")
                    .load()
                    .migrate();
            // 45 days of one row every 7 minutes for two series, a day in 2024, and 60 days of hours.
            execute(ds, """
                    INSERT INTO llm_metrics (tenant_id, route, model, window_start, window_end, requests, errors, timeouts,
                        avg_latency_ms, p95_latency_ms, total_prompt_tokens, latency_sum_ms, estimated_cost_usd,
                        latency_sketch, revision, job_run, cached_prompt_tokens, ttft_sketch, output_tokens_per_second)
                    SELECT 'tenant-' || s, 'chat', 'gpt-4o', t, t + interval '1 minute', (extract(epoch FROM t)::bigint % 97),
                        s, 1, 812.5, 1500.25, 10000 + s, 81250.0, 0.000123456789 * s, decode('0a0b0c' || lpad(s::text, 4, '0'), 'hex'),
                        1 + s, 'run-' || s, 7, NULL::bytea, 45.5
                    FROM generate_series(timestamptz '2026-10-01 00:00:00+00', timestamptz '2026-11-14 23:59:00+00',
                                         interval '7 minutes') AS t,
                         generate_series(1, 2) AS s
                    UNION ALL
                    SELECT 'acme', 'old', 'gpt-3', t, t + interval '1 minute', 1, 0, 0, NULL, NULL, 0, 0, 0, NULL, 1, NULL, 0,
                        NULL, NULL
                    FROM generate_series(timestamptz '2024-02-29 23:00:00+00', timestamptz '2024-02-29 23:59:00+00',
                                         interval '1 minute') AS t
                    """);
            execute(ds, """
                    INSERT INTO llm_metrics_hourly (tenant_id, route, model, window_start, window_end, requests, errors,
                        estimated_cost_usd, latency_sketch, revision)
                    SELECT 'tenant-' || s, 'chat', 'gpt-4o', t, t + interval '1 hour', 60 * s, s, 0.5 * s, decode('ff', 'hex'), 3
                    FROM generate_series(timestamptz '2026-09-20 00:00:00+00', timestamptz '2026-11-18 23:00:00+00',
                                         interval '1 hour') AS t,
                         generate_series(1, 2) AS s
                    """);
            String minutesBefore = fingerprint(ds, "llm_metrics");
            String hoursBefore = fingerprint(ds, "llm_metrics_hourly");
            long lastId = single(ds, "SELECT max(id) FROM llm_metrics");

            // Up to the partitioning (V7) and what came with it, not beyond: a later migration that adds
            // a column changes every row's text, which is the fingerprint.
            Flyway.configure()
                    .dataSource(ds)
                    .locations(SchemaMigrations.LOCATION)
                    .target("8")
                    .load()
                    .migrate();

            assertThat(fingerprint(ds, "llm_metrics")).isEqualTo(minutesBefore);
            assertThat(fingerprint(ds, "llm_metrics_hourly")).isEqualTo(hoursBefore);
            assertThat(strings(ds, "SELECT partrelid::regclass::text FROM pg_partitioned_table ORDER BY 1"))
                    .containsExactly("llm_metrics", "llm_metrics_hourly");
            assertThat(single(ds, "SELECT count(*) FROM llm_metrics_default")).isZero();
            assertThat(single(ds, "SELECT count(*) FROM llm_metrics_hourly_default"))
                    .isZero();
            // One partition per day with rows (45 + the day in 2024), each holding only its day.
            assertThat(single(ds, """
                    SELECT count(DISTINCT tableoid) FROM llm_metrics""")).isEqualTo(46);
            assertThat(
                            strings(
                                    ds,
                                    "SELECT DISTINCT tableoid::regclass::text FROM llm_metrics WHERE window_start < '2025-01-01'"))
                    .containsExactly("llm_metrics_p20240229");
            assertThat(single(ds, """
                    SELECT count(*) FROM llm_metrics
                    WHERE tableoid::regclass::text <> 'llm_metrics_p' || to_char(window_start AT TIME ZONE 'UTC', 'YYYYMMDD')""")).isZero();
            assertThat(strings(ds, "SELECT DISTINCT tableoid::regclass::text FROM llm_metrics_hourly ORDER BY 1"))
                    .containsExactly(
                            "llm_metrics_hourly_p202609", "llm_metrics_hourly_p202610", "llm_metrics_hourly_p202611");
            // The week ahead has its partitions already.
            assertThat(single(ds, """
                    SELECT count(*) FROM pg_class
                    WHERE relname = 'llm_metrics_p' || to_char((now() AT TIME ZONE 'UTC') + interval '7 days', 'YYYYMMDD')""")).isEqualTo(1);

            // New rows take ids after the old ones, and the job's upsert replaces on the unique key.
            execute(ds, """
                    INSERT INTO llm_metrics (tenant_id, route, model, window_start, window_end, requests, revision)
                    VALUES ('acme', 'chat', 'gpt-4', '2026-11-01 10:00:00+00', '2026-11-01 10:01:00+00', 5, 1)
                    ON CONFLICT (tenant_id, route, model, window_start) DO UPDATE SET requests = EXCLUDED.requests""");
            execute(ds, """
                    INSERT INTO llm_metrics (tenant_id, route, model, window_start, window_end, requests, revision)
                    VALUES ('acme', 'chat', 'gpt-4', '2026-11-01 10:00:00+00', '2026-11-01 10:01:00+00', 9, 2)
                    ON CONFLICT (tenant_id, route, model, window_start) DO UPDATE SET requests = EXCLUDED.requests""");
            assertThat(single(ds, "SELECT requests FROM llm_metrics WHERE tenant_id = 'acme' AND route = 'chat'"))
                    .isEqualTo(9);
            assertThat(single(ds, "SELECT id FROM llm_metrics WHERE tenant_id = 'acme' AND route = 'chat'"))
                    .isGreaterThan(lastId);
        }
    }

    /** The number of rows and a digest of every column of every row, in id order. */
    private static String fingerprint(DataSource ds, String table) throws SQLException {
        return strings(ds, "SELECT count(*) || ':' || md5(string_agg(t::text, '|' ORDER BY id)) FROM " + table + " t")
                .get(0);
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long single(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(DataSource ds, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
