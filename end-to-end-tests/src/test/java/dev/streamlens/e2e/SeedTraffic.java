package dev.streamlens.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlens.job.it.Workload;
import dev.streamlens.model.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The original service's example payloads (its README, smoke test and generator), sent verbatim
 * except for fresh ids and timestamps moved to now (keeping each response's distance from its
 * request), plus the same events described for the independent expectation.
 */
final class SeedTraffic {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<Workload.Request> requests = new ArrayList<>();
    final List<Workload.Response> responses = new ArrayList<>();
    final List<Workload.Delivery> deliveries = new ArrayList<>();

    /** Requests from {@code start} on, one a second; each response keeps its original offset. */
    static SeedTraffic startingAt(long start) throws IOException {
        JsonNode seed = JSON.readTree(StackProcess.ROOT
                .resolve("event-model/src/test/resources/original-payloads.json")
                .toFile());
        SeedTraffic traffic = new SeedTraffic();
        Map<String, Long> shift = new HashMap<>();
        long at = start;
        for (JsonNode original : seed.get("requests")) {
            ObjectNode request = original.deepCopy();
            long shiftMs =
                    at - Instant.parse(original.get("timestamp").asText()).toEpochMilli();
            shift.put(original.get("request_id").asText(), shiftMs);
            String id = "seed-" + original.get("request_id").asText();
            request.put("request_id", id)
                    .put("timestamp", Instant.ofEpochMilli(at).toString());
            traffic.requests.add(new Workload.Request(
                    id,
                    request.get("tenant_id").asText(),
                    request.get("route").asText(),
                    request.get("model").asText(),
                    at,
                    request.get("prompt_tokens").asLong(),
                    textOrNull(request, "user_id_hash"),
                    textOrNull(request, "session_id"),
                    textOrNull(request.path("metadata"), "feature")));
            traffic.deliveries.add(new Workload.Delivery(Topics.REQUESTS, id, bytes(request), at));
            at += 1000;
        }
        for (JsonNode original : seed.get("responses")) {
            ObjectNode response = original.deepCopy();
            long originalTs = Instant.parse(original.get("timestamp").asText()).toEpochMilli();
            long ts = originalTs + shift.getOrDefault(original.get("request_id").asText(), at - originalTs);
            String id = "seed-" + original.get("request_id").asText();
            response.put("request_id", id)
                    .put("timestamp", Instant.ofEpochMilli(ts).toString());
            JsonNode error = original.get("error");
            traffic.responses.add(new Workload.Response(
                    id,
                    ts,
                    original.has("latency_ms") ? original.get("latency_ms").asDouble() : null,
                    original.get("completion_tokens").asLong(),
                    error == null || error.isNull() ? null : error.asText()));
            traffic.deliveries.add(new Workload.Delivery(Topics.RESPONSES, id, bytes(response), ts));
        }
        return traffic;
    }

    List<String> tenants() {
        return requests.stream().map(Workload.Request::tenant).distinct().toList();
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A field's text as sent, or null when the payload has none. */
    private static String textOrNull(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
