package dev.streamlens.job.join;

import dev.streamlens.job.events.TelemetryEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** The JSON of a response that found no request, as written to the dead-letter topic. */
final class OrphanJson {

    private OrphanJson() {}

    static byte[] of(TelemetryEvent response) {
        var node = dev.streamlens.model.EventJson.mapper().createObjectNode();
        node.put("request_id", response.requestId);
        node.put("timestamp", Instant.ofEpochMilli(response.timestamp).toString());
        if (!Double.isNaN(response.latencyMs)) {
            node.put("latency_ms", response.latencyMs);
        }
        node.put("completion_tokens", response.completionTokens);
        node.put("failed", response.failed);
        if (response.tenantId != null) {
            node.put("tenant_id", response.tenantId);
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
