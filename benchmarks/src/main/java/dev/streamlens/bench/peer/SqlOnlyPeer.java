package dev.streamlens.bench.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * What a competent engineer would build instead of StreamLens, on the same machine: an HTTP service
 * taking the same calls (NDJSON batches, single events, OTLP/JSON exports) and writing each call as
 * one PostgreSQL row — every POST one transaction, its events copied into a staging table and merged
 * into the calls table by an upsert on the request id — and answering {@code GET /v1/metrics} with
 * the same per-window figures, computed by SQL when asked ({@code peer/metrics.sql}). It answers in
 * the stack's JSON shape, so the capacity benchmark measures and checks it the same way.
 *
 * <p>Usage: {@code SqlOnlyPeer <port> <jdbc url> <window s> <join timeout s> <price table json>}.
 */
public final class SqlOnlyPeer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 16;

    private final String jdbcUrl;
    private final String window;
    private final String joinTimeout;
    private final String metricsSql;
    private final ThreadLocal<Connection> connection = new ThreadLocal<>();

    private SqlOnlyPeer(String jdbcUrl, long windowSeconds, long joinTimeoutSeconds) throws IOException {
        this.jdbcUrl = jdbcUrl;
        this.window = windowSeconds + " seconds";
        this.joinTimeout = joinTimeoutSeconds + " seconds";
        this.metricsSql = resource("/peer/metrics.sql");
    }

    public static void main(String[] args) throws Exception {
        SqlOnlyPeer peer = new SqlOnlyPeer(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]));
        peer.createTables(java.nio.file.Files.readAllBytes(java.nio.file.Path.of(args[4])));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 256);
        server.setExecutor(Executors.newFixedThreadPool(THREADS));
        server.createContext("/health", exchange -> answer(exchange, 200, "{\"status\":\"UP\"}"));
        server.createContext("/v1/llm/events", exchange -> peer.handle(exchange, null));
        server.createContext("/v1/llm/request", exchange -> peer.handle(exchange, "request"));
        server.createContext("/v1/llm/response", exchange -> peer.handle(exchange, "response"));
        server.createContext("/v1/traces", exchange -> peer.handle(exchange, "otlp"));
        server.createContext("/v1/metrics", peer::metrics);
        server.start();
        System.out.println("peer ready on port " + args[0]);
    }

    private void createTables(byte[] priceTable) throws Exception {
        Connection c = connection();
        try (Statement s = c.createStatement()) {
            s.execute(resource("/peer/schema.sql"));
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO model_prices VALUES (?, ?, ?)")) {
            var models = JSON.readTree(priceTable).get("models").fields();
            while (models.hasNext()) {
                var model = models.next();
                insert.setString(1, model.getKey());
                insert.setBigDecimal(
                        2,
                        new BigDecimal(model.getValue().get("input_per_million").asText()));
                insert.setBigDecimal(
                        3,
                        new BigDecimal(
                                model.getValue().get("output_per_million").asText()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
        c.commit();
    }

    /** kind: "otlp" (a trace export), "request" or "response" (one event), null (NDJSON events with their types). */
    private void handle(HttpExchange exchange, String kind) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            List<CallHalves.Half> halves;
            try {
                halves = "otlp".equals(kind) ? CallHalves.fromOtlpJson(body) : CallHalves.fromEvents(body, kind);
            } catch (RuntimeException | IOException e) {
                answer(exchange, 400, "{\"error\":" + JSON.writeValueAsString(String.valueOf(e.getMessage())) + "}");
                return;
            }
            try {
                CallHalves.write(connection(), halves);
            } catch (SQLException e) {
                dropConnection();
                answer(exchange, 503, "{\"error\":" + JSON.writeValueAsString(e.getMessage()) + "}");
                return;
            }
            answer(exchange, 202, "{\"accepted\":" + halves.size() + "}");
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> params = new HashMap<>();
            String query = exchange.getRequestURI().getRawQuery();
            for (String pair : query == null ? new String[0] : query.split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
            String tenant = params.get("tenant_id");
            if (tenant == null) {
                answer(exchange, 400, "{\"error\":\"tenant_id is required\"}");
                return;
            }
            Instant to = params.containsKey("to") ? Instant.parse(params.get("to")) : Instant.now();
            Instant from = params.containsKey("from") ? Instant.parse(params.get("from")) : to.minusSeconds(3_600);
            int limit = Integer.parseInt(params.getOrDefault("limit", "60"));
            ArrayNode rows = JSON.createArrayNode();
            try {
                Connection c = connection();
                try (PreparedStatement s = c.prepareStatement(metricsSql)) {
                    OffsetDateTime fromTs = OffsetDateTime.ofInstant(from, ZoneOffset.UTC);
                    OffsetDateTime toTs = OffsetDateTime.ofInstant(to, ZoneOffset.UTC);
                    Object[] values = {
                        window,
                        tenant,
                        fromTs,
                        toTs,
                        joinTimeout, // answered
                        window,
                        joinTimeout,
                        tenant,
                        joinTimeout,
                        joinTimeout,
                        fromTs,
                        joinTimeout,
                        toTs, // timed out
                        limit
                    };
                    for (int i = 0; i < values.length; i++) {
                        s.setObject(i + 1, values[i]);
                    }
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            rows.add(row(tenant, rs));
                        }
                    }
                }
                c.commit();
            } catch (SQLException e) {
                dropConnection();
                answer(exchange, 503, "{\"error\":" + JSON.writeValueAsString(e.getMessage()) + "}");
                return;
            }
            ObjectNode answer = JSON.createObjectNode();
            answer.set("metrics", rows);
            answer.put("count", rows.size());
            answer(exchange, 200, answer.toString());
        }
    }

    /** A row in the stack's JSON shape (the fields the query API's rows carry). */
    private static ObjectNode row(String tenant, ResultSet rs) throws SQLException {
        ObjectNode row = JSON.createObjectNode()
                .put("tenant_id", tenant)
                .put("route", rs.getString("route"))
                .put("model", rs.getString("model"))
                .put("window_start", rs.getTimestamp("window_start").toInstant().toString());
        long requests = rs.getLong("requests");
        row.put("requests", requests).put("errors", rs.getLong("errors")).put("timeouts", rs.getLong("timeouts"));
        for (String field : List.of(
                "avg_latency_ms", "p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "output_tokens_per_second")) {
            double value = rs.getDouble(field);
            if (rs.wasNull()) {
                row.putNull(field);
            } else {
                row.put(field, value);
            }
        }
        long prompt = rs.getLong("total_prompt_tokens");
        long completion = rs.getLong("total_completion_tokens");
        row.put("total_prompt_tokens", prompt).put("total_completion_tokens", completion);
        if (requests > 0) {
            row.put("avg_prompt_tokens", (double) prompt / requests)
                    .put("avg_completion_tokens", (double) completion / requests);
        } else {
            row.putNull("avg_prompt_tokens").putNull("avg_completion_tokens");
        }
        row.put("estimated_cost_usd", rs.getBigDecimal("estimated_cost_usd").toPlainString())
                .put("unpriced_requests", rs.getLong("unpriced_requests"));
        return row;
    }

    private Connection connection() throws SQLException {
        Connection c = connection.get();
        if (c == null) {
            c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
            c.setAutoCommit(false);
            connection.set(c);
        }
        return c;
    }

    private void dropConnection() {
        Connection c = connection.get();
        connection.remove();
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException e) {
            // already broken
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SqlOnlyPeer.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
