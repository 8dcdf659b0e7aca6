package dev.streamlens.model;

import java.time.Duration;

/**
 * Bounds an event must stay within. The defaults are documented in docs/EVENTS.md; services may
 * tighten or relax them through their settings.
 *
 * @param maxIdentifierLength  request_id, tenant_id, route, model, user_id_hash, finish_reason
 *                             (255 = the original service's VARCHAR(255); docs/EVENTS.md)
 * @param maxErrorLength       the error message of a failed call
 * @param maxMetadataBytes     metadata serialized as compact JSON
 * @param maxMetadataDepth     nesting levels inside metadata (1 = flat object)
 * @param maxMetadataKeys      keys in metadata, counted at every level
 * @param maxTokens            largest accepted token count
 * @param maxLatencyMs         largest accepted latency or time to first token
 * @param maxFutureSkew        how far past the validator's clock a timestamp may lie
 */
public record ValidationLimits(
        int maxIdentifierLength,
        int maxErrorLength,
        int maxMetadataBytes,
        int maxMetadataDepth,
        int maxMetadataKeys,
        long maxTokens,
        double maxLatencyMs,
        Duration maxFutureSkew) {

    public static final ValidationLimits DEFAULTS =
            new ValidationLimits(255, 4096, 16 * 1024, 5, 128, 100_000_000L, 24 * 3600 * 1000.0, Duration.ofMinutes(5));

    public ValidationLimits withMaxFutureSkew(Duration skew) {
        return new ValidationLimits(
                maxIdentifierLength,
                maxErrorLength,
                maxMetadataBytes,
                maxMetadataDepth,
                maxMetadataKeys,
                maxTokens,
                maxLatencyMs,
                skew);
    }
}
