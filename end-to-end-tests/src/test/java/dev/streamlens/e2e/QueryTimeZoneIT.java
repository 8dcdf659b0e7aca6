package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.infra.EmbeddedPostgresServer;
import dev.streamlens.infra.FreePorts;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.MetricsRowJdbc;
import dev.streamlens.testing.TestDirectories;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Buckets are UTC whatever the time zone (docs/DESIGN.md#the-query-service-query-service): the
 * packaged query-service runs with {@code TZ=Asia/Kolkata} (UTC+05:30) against a database whose sessions default to the same zone,
 * and its hours still start at :00 UTC, its days at 00:00 UTC, its quarters at :00/:15/:30/:45.
 */
class QueryTimeZoneIT {

    private static final Instant TEN = Instant.parse("2025-11-20T10:00:00Z");

    private static EmbeddedPostgresServer postgres;
    private static Process service;
    private static QueryApi api;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgresServer.create(TestDirectories.fresh("query-tz"), 0)
                .start();
        try (Connection c = postgres.dataSource().getConnection()) {
            c.createStatement().execute("ALTER DATABASE postgres SET timezone TO 'Asia/Kolkata'");
        }
        // One call a minute from 10:00 to 11:29 UTC, and the two hours they make.
        List<MetricsRow> minutes = new ArrayList<>();
        for (int m = 0; m < 90; m++) {
            minutes.add(row(TEN.plusSeconds(60L * m), 60, 1));
        }
        insert(MetricsRowJdbc.MINUTES, minutes);
        insert(MetricsRowJdbc.HOURS, List.of(row(TEN, 3600, 60), row(TEN.plusSeconds(3600), 3600, 30)));

        int port = FreePorts.pick();
        Path jar = StackProcess.ROOT.resolve("query-service/target/quarkus-app/quarkus-run.jar");
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-jar",
                        jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(TestDirectories.fresh("query-tz-log")
                        .resolve("query-service.log")
                        .toFile());
        builder.environment().put("TZ", "Asia/Kolkata");
        builder.environment().put("HTTP_PORT", Integer.toString(port));
        builder.environment().put("STREAMLENS_JDBC_URL", postgres.jdbcUrl());
        // The rows are of a fixed day in 2025: retention would expire the minute rows at start.
        builder.environment().put("STREAMLENS_RETENTION_MINUTES", "0");
        builder.environment().put("STREAMLENS_RETENTION_HOURLY", "0");
        service = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!FreePorts.isListening(port) && service.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        api = new QueryApi("http://127.0.0.1:" + port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.destroy();
            service.waitFor(30, TimeUnit.SECONDS);
        }
        if (postgres != null) {
            postgres.stop();
        }
    }

    @Test
    void hoursStartOnTheUtcHour() throws Exception {
        JsonNode hours = api.get("/v1/metrics?tenant_id=tz&granularity=1h&group_by=none"
                        + "&from=2025-11-20T00:00:00Z&to=2025-11-21T00:00:00Z")
                .path("metrics");
        assertThat(hours)
                .extracting(h -> h.path("window_start").asText() + "="
                        + h.path("requests").asLong())
                .containsExactly("2025-11-20T11:00:00Z=30", "2025-11-20T10:00:00Z=60");
    }

    @Test
    void daysStartAtUtcMidnight() throws Exception {
        JsonNode days = api.get("/v1/metrics?tenant_id=tz&granularity=1d&group_by=none"
                        + "&from=2025-11-19T00:00:00Z&to=2025-11-22T00:00:00Z")
                .path("metrics");
        assertThat(days)
                .extracting(d -> d.path("window_start").asText() + "="
                        + d.path("requests").asLong())
                .containsExactly("2025-11-20T00:00:00Z=90");
    }

    @Test
    void quartersStartOnTheUtcQuarterHour() throws Exception {
        JsonNode quarters = api.get("/v1/metrics?tenant_id=tz&granularity=15m&group_by=none"
                        + "&from=2025-11-20T10:00:00Z&to=2025-11-20T11:30:00Z")
                .path("metrics");
        assertThat(quarters)
                .extracting(q -> q.path("window_start").asText())
                .containsExactly(
                        "2025-11-20T11:15:00Z",
                        "2025-11-20T11:00:00Z",
                        "2025-11-20T10:45:00Z",
                        "2025-11-20T10:30:00Z",
                        "2025-11-20T10:15:00Z",
                        "2025-11-20T10:00:00Z");
        assertThat(quarters)
                .allSatisfy(q -> assertThat(q.path("requests").asLong()).isEqualTo(15));
    }

    private static MetricsRow row(Instant start, long seconds, long requests) {
        return new MetricsRow(
                "tz",
                "chat",
                "gpt-4o",
                start,
                start.plusSeconds(seconds),
                requests,
                0,
                0,
                100.0,
                null,
                null,
                null,
                1.0,
                1.0,
                requests,
                requests,
                100.0 * requests,
                BigDecimal.ZERO,
                0,
                null,
                1,
                null);
    }

    private static void insert(String table, List<MetricsRow> rows) throws Exception {
        try (Connection c = postgres.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(MetricsRowJdbc.insert(table))) {
            for (MetricsRow row : rows) {
                MetricsRowJdbc.bind(ps, row);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
