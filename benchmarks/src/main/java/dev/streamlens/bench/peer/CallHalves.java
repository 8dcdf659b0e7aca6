package dev.streamlens.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * The peer's write path: the events or spans of one POST as halves of calls (a request, a response,
 * or a span's both), copied into a staging table and merged into {@code llm_calls} by one upsert on
 * the request id, in one transaction. The first value seen of each field wins (a duplicate delivery
 * changes nothing).
 */
final class CallHalves {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String STAGING =
            "CREATE TEMP TABLE IF NOT EXISTS staging (LIKE llm_calls) ON COMMIT DELETE ROWS";
    private static final String MERGE = """
            INSERT INTO llm_calls AS c
            SELECT request_id, max(tenant_id), max(route), max(model), min(request_ts), max(prompt_tokens),
                   max(user_id), min(response_ts), max(latency_ms), max(completion_tokens), bool_or(failed)
              FROM staging GROUP BY request_id ORDER BY request_id
            ON CONFLICT (request_id) DO UPDATE SET
                tenant_id = coalesce(c.tenant_id, EXCLUDED.tenant_id), route = coalesce(c.route, EXCLUDED.route),
                model = coalesce(c.model, EXCLUDED.model), request_ts = coalesce(c.request_ts, EXCLUDED.request_ts),
                prompt_tokens = coalesce(c.prompt_tokens, EXCLUDED.prompt_tokens),
                user_id = coalesce(c.user_id, EXCLUDED.user_id),
                response_ts = coalesce(c.response_ts, EXCLUDED.response_ts),
                latency_ms = coalesce(c.latency_ms, EXCLUDED.latency_ms),
                completion_tokens = coalesce(c.completion_tokens, EXCLUDED.completion_tokens),
                failed = coalesce(c.failed, EXCLUDED.failed)
            """;

    /** One side of a call, or both; null where this half says nothing. */
    record Half(
            String requestId,
            String tenant,
            String route,
            String model,
            Instant requestTs,
            Long promptTokens,
            String user,
            Instant responseTs,
            Double latencyMs,
            Long completionTokens,
            Boolean failed) {

        static Half request(
                String requestId,
                String tenant,
                String route,
                String model,
                Instant requestTs,
                long promptTokens,
                String user) {
            return new Half(requestId, tenant, route, model, requestTs, promptTokens, user, null, null, null, null);
        }

        static Half response(
                String requestId, Instant responseTs, Double latencyMs, long completionTokens, boolean failed) {
            return new Half(
                    requestId, null, null, null, null, null, null, responseTs, latencyMs, completionTokens, failed);
        }
    }

    private CallHalves() {}

    /**
     * NDJSON (one event per line, each naming its type) as {@code POST /v1/llm/events} takes it, or one
     * event of the given type (not null) as {@code POST /v1/llm/request} and {@code /response} do.
     */
    static List<Half> fromEvents(byte[] body, String type) throws IOException {
        List<Half> halves = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode e = JSON.readTree(line);
            String id = required(e, "request_id");
            Instant ts = Instant.parse(required(e, "timestamp"));
            switch (type != null ? type : required(e, "type")) {
                case "request" ->
                    halves.add(Half.request(
                            id,
                            required(e, "tenant_id"),
                            required(e, "route"),
                            required(e, "model"),
                            ts,
                            e.path("prompt_tokens").asLong(),
                            e.hasNonNull("user_id_hash") ? e.get("user_id_hash").asText() : null));
                case "response" ->
                    halves.add(Half.response(
                            id,
                            ts,
                            e.hasNonNull("latency_ms") ? e.get("latency_ms").asDouble() : null,
                            e.path("completion_tokens").asLong(),
                            e.hasNonNull("error") && !e.get("error").asText().isEmpty()));
                default -> throw new IllegalArgumentException("type must be request or response");
            }
        }
        return halves;
    }

    /** An OTLP/JSON trace export: each GenAI span one whole call (tenant and route from its resource). */
    static List<Half> fromOtlpJson(byte[] body) throws IOException {
        List<Half> halves = new ArrayList<>();
        for (JsonNode resourceSpans : JSON.readTree(body).path("resourceSpans")) {
            JsonNode resource = resourceSpans.path("resource").path("attributes");
            String tenant = attribute(resource, "tenant.id", "default");
            String route = attribute(resource, "service.name", "unknown");
            for (JsonNode scope : resourceSpans.path("scopeSpans")) {
                for (JsonNode span : scope.path("spans")) {
                    JsonNode attributes = span.path("attributes");
                    long start = Long.parseLong(required(span, "startTimeUnixNano"));
                    long end = Long.parseLong(required(span, "endTimeUnixNano"));
                    halves.add(new Half(
                            required(span, "traceId") + "-" + required(span, "spanId"),
                            tenant,
                            route,
                            attribute(attributes, "gen_ai.request.model", "unknown"),
                            Instant.ofEpochSecond(0, start),
                            Long.parseLong(attribute(attributes, "gen_ai.usage.input_tokens", "0")),
                            null,
                            Instant.ofEpochSecond(0, end),
                            (end - start) / 1e6,
                            Long.parseLong(attribute(attributes, "gen_ai.usage.output_tokens", "0")),
                            span.path("status").path("code").asInt() == 2));
                }
            }
        }
        return halves;
    }

    /**
     * Copies the halves into the staging table and merges them, in one transaction; tried again when
     * PostgreSQL picked it as a deadlock's victim (two POSTs upserting the same calls; the merge's
     * order by request id makes that rare).
     */
    static void write(Connection c, List<Half> halves) throws SQLException, IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                writeOnce(c, halves);
                return;
            } catch (SQLException e) {
                if (attempt == 3 || !"40P01".equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    private static void writeOnce(Connection c, List<Half> halves) throws SQLException, IOException {
        StringBuilder rows = new StringBuilder(halves.size() * 160);
        for (Half h : halves) {
            rows.append(text(h.requestId))
                    .append('\t')
                    .append(text(h.tenant))
                    .append('\t')
                    .append(text(h.route))
                    .append('\t')
                    .append(text(h.model))
                    .append('\t')
                    .append(text(h.requestTs))
                    .append('\t')
                    .append(text(h.promptTokens))
                    .append('\t')
                    .append(text(h.user))
                    .append('\t')
                    .append(text(h.responseTs))
                    .append('\t')
                    .append(text(h.latencyMs))
                    .append('\t')
                    .append(text(h.completionTokens))
                    .append('\t')
                    .append(text(h.failed))
                    .append('\n');
        }
        try (Statement s = c.createStatement()) {
            s.execute(STAGING);
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY staging FROM STDIN", new StringReader(rows.toString()));
            s.executeUpdate(MERGE);
            c.commit();
        } catch (SQLException | IOException e) {
            c.rollback();
            throw e;
        }
    }

    /** A value in COPY's text format: \N for null; backslash, tab and line breaks escaped. */
    private static String text(Object value) {
        if (value == null) {
            return "\\N";
        }
        return value.toString()
                .replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r");
    }

    private static String required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.asText().isEmpty()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value.asText();
    }

    private static String attribute(JsonNode attributes, String key, String otherwise) {
        for (JsonNode a : attributes) {
            if (a.path("key").asText().equals(key)) {
                JsonNode value = a.path("value");
                return value.has("stringValue")
                        ? value.get("stringValue").asText()
                        : value.path("intValue").asText();
            }
        }
        return otherwise;
    }
}
