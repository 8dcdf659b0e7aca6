package dev.streamlens.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Deterministic request and response events as JSON bytes (about 200 and 150 bytes), generated
 * in memory: pair i has a request at BASE + i ms, and a response 50..3050 ms later; 10 tenants ×
 * 5 routes × 4 models = 200 series.
 */
final class SyntheticEvents {

    static final long BASE = Instant.parse("2025-11-20T00:00:00Z").toEpochMilli();
    private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "gpt-4.1-mini"};

    private SyntheticEvents() {}

    static GeneratorFunction<Long, byte[]> requests() {
        return SyntheticEvents::request;
    }

    static byte[] request(long i) {
        return ("{\"request_id\":\"req-" + i + "\",\"tenant_id\":\"tenant-" + (i % 10)
                        + "\",\"route\":\"route-" + (i / 10 % 5) + "\",\"model\":\"" + MODELS[(int) (i / 50 % 4)]
                        + "\",\"timestamp\":\"" + Instant.ofEpochMilli(BASE + i) + "\",\"prompt_tokens\":" + (i % 1000)
                        + ",\"metadata\":{\"experiment\":\"prompt_v3\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static GeneratorFunction<Long, byte[]> responses() {
        return i -> {
            long latency = 50 + (i * 7919) % 3000;
            return ("{\"request_id\":\"req-" + i + "\",\"timestamp\":\"" + Instant.ofEpochMilli(BASE + i + latency)
                            + "\",\"latency_ms\":" + latency + ",\"completion_tokens\":" + (i % 500)
                            + ",\"finish_reason\":\"stop\",\"error\":" + (i % 20 == 0 ? "\"rate_limit\"" : "null")
                            + "}")
                    .getBytes(StandardCharsets.UTF_8);
        };
    }
}
