package dev.streamlens.model;

import java.time.Instant;

/**
 * Which windows a watermark has closed and which it has made final (docs/DESIGN.md#freshness): the
 * one place that arithmetic lives, for the job (a recompute stops at {@code final_until}) and the
 * query API (which reports both). {@code Long.MAX_VALUE} is the end-of-input watermark.
 */
public final class Completeness {

    private Completeness() {}

    /** The end of the newest window that has fired: every window ending at or before it has a row (if it had calls). */
    public static Instant windowsClosedUntil(long watermarkMs, long windowMs) {
        long closed = watermarkMs == Long.MAX_VALUE ? watermarkMs : watermarkMs + 1;
        return Instant.ofEpochMilli(Math.floorDiv(closed, windowMs) * windowMs);
    }

    /** Windows ending at or before this instant are final: no late event can revise them any more. */
    public static Instant finalUntil(long watermarkMs, long windowMs, long allowedLatenessMs) {
        long end = watermarkMs == Long.MAX_VALUE ? watermarkMs : watermarkMs + 1 - allowedLatenessMs;
        return Instant.ofEpochMilli(Math.floorDiv(end, windowMs) * windowMs);
    }

    /** Whether a window (or rollup bucket) ending at this instant can no longer change. */
    public static boolean isFinal(Instant windowEnd, long watermarkMs, long allowedLatenessMs) {
        // written so that the end-of-input watermark (Long.MAX_VALUE) cannot overflow
        return windowEnd.toEpochMilli() + allowedLatenessMs - 1 <= watermarkMs;
    }
}
