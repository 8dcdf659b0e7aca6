package dev.streamlens.ingest.admission;

/**
 * What {@link TenantRateLimits} decided about some events: admitted, or refused with the reason
 * to give the client and, when waiting helps, after how many seconds to retry.
 */
public record RateLimitDecision(Refusal refusal, String reason, int retryAfterSeconds) {

    /** Why events were refused. */
    public enum Refusal {
        /** The tenant's bucket is short now: retry after {@code retryAfterSeconds}. */
        OVER_RATE,
        /** More events at once than the bucket can ever hold: waiting would not help. */
        OVER_BURST
    }

    public static final RateLimitDecision ADMITTED = new RateLimitDecision(null, null, 0);

    public static RateLimitDecision overRate(String reason, int retryAfterSeconds) {
        return new RateLimitDecision(Refusal.OVER_RATE, reason, retryAfterSeconds);
    }

    public static RateLimitDecision overBurst(String reason) {
        return new RateLimitDecision(Refusal.OVER_BURST, reason, 0);
    }

    public boolean admitted() {
        return refusal == null;
    }
}
