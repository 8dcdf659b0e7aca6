package dev.streamlens.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Deterministic request and response events as JSON bytes (about 200 and 150 bytes), generated
 * in memory: pair i has a request at BASE + i ms, and a response 50..3050 ms later; 10 tenants ×
 * 5 routes × 4 models = 200 series. Pair i's request has i % 1000 prompt tokens, its response
 * i % 500 completion tokens and an error when i % 20 == 0.
 */
final class SyntheticEvents {

    static final long BASE = Instant.parse("2025-11-20T00:00:00Z").toEpochMilli();
    private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "gpt-4.1-mini"};

    private SyntheticEvents() {}

    static GeneratorFunction<Long, byte[]> requests() {
        return SyntheticEvents::request;
    }

    static byte[] request(long i) {
        return request(i, "");
    }

    private static byte[] request(long i, String endUser) {
        return ("{\"request_id\":\"req-" + i + "\",\"tenant_id\":\"tenant-" + (i % 10)
                        + "\",\"route\":\"route-" + (i / 10 % 5) + "\",\"model\":\"" + MODELS[(int) (i / 50 % 4)]
                        + "\",\"timestamp\":\"" + Instant.ofEpochMilli(BASE + i) + "\",\"prompt_tokens\":" + (i % 1000)
                        + endUser + ",\"metadata\":{\"experiment\":\"prompt_v3\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Users per tenant of {@link #requestsWithEndUsers}. */
    static final int USERS_PER_TENANT = 1_000_000;

    /**
     * The same requests, each for an end user and a session: users drawn from a Zipf law (s = 1:
     * the k-th most active user makes calls in proportion to 1/k) over 1,000,000 per tenant,
     * chosen from the pair's index so the draw is the same on every run; each user's calls of one
     * ten-minute span share a session.
     */
    static GeneratorFunction<Long, byte[]> requestsWithEndUsers() {
        return i -> {
            String user = userOf(i);
            return request(i, ",\"user_id_hash\":\"" + user + "\",\"session_id\":\"" + sessionOf(user, i) + "\"");
        };
    }

    /** The rank (1 = most active) of pair i's user within its tenant. */
    static long userRank(long i) {
        double uniform = (mix(i) >>> 11) * 0x1.0p-53;
        return Math.min(USERS_PER_TENANT, (long) Math.pow(USERS_PER_TENANT + 1, uniform));
    }

    /** Pair i's user: a 16-hex-digit hash of its rank and tenant, as an app would send a hashed id. */
    static String userOf(long i) {
        // HexFormat, not String.format: the generator runs inside the measured job and must cost next to nothing.
        return HEX.toHexDigits(mix(userRank(i) * 31 + i % 10));
    }

    static String sessionOf(long i) {
        return sessionOf(userOf(i), i);
    }

    private static String sessionOf(String user, long i) {
        return user + "-" + (i / 600_000);
    }

    private static final HexFormat HEX = HexFormat.of();

    /** SplitMix64's finalizer: a well-spread hash of a long. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
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
