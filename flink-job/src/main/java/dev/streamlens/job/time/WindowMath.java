package dev.streamlens.job.time;

/** Epoch-aligned tumbling windows (UTC, so 1-minute windows start on the minute). */
public final class WindowMath {

    private WindowMath() {}

    public static long windowStart(long timestamp, long sizeMs) {
        return timestamp - Math.floorMod(timestamp, sizeMs);
    }

    /** Exclusive end of the window containing {@code timestamp}. */
    public static long windowEnd(long timestamp, long sizeMs) {
        return windowStart(timestamp, sizeMs) + sizeMs;
    }
}
