package dev.streamlens.query.metrics;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.streamlens.model.Completeness;
import java.time.Instant;

/**
 * How far the job's results are complete (docs/DESIGN.md#freshness): the watermark the job had
 * reached when it committed the rows the table now holds, with its window size and allowed
 * lateness. A window has fired once its end is at or before {@link #windowsClosedUntil()}, and can
 * no longer change once its end is at or before {@link #finalUntil()}.
 */
public record Freshness(
        @JsonIgnore long watermarkMs,
        @JsonIgnore long windowMs,
        @JsonIgnore long allowedLatenessMs,
        Instant updatedAt) {

    @JsonProperty("watermark")
    public Instant watermark() {
        return Instant.ofEpochMilli(watermarkMs);
    }

    /** The end of the newest window that has fired: every window ending at or before it has a row (if it had calls). */
    @JsonProperty("windows_closed_until")
    public Instant windowsClosedUntil() {
        return Completeness.windowsClosedUntil(watermarkMs, windowMs);
    }

    /** Windows ending at or before this instant are final: no late event can revise them any more. */
    @JsonProperty("final_until")
    public Instant finalUntil() {
        return Completeness.finalUntil(watermarkMs, windowMs, allowedLatenessMs);
    }

    /** Whether a window (or rollup bucket) ending at this instant can no longer change. */
    public boolean isFinal(Instant windowEnd) {
        return Completeness.isFinal(windowEnd, watermarkMs, allowedLatenessMs);
    }

    @JsonProperty("window_seconds")
    public long windowSeconds() {
        return windowMs / 1000;
    }

    @JsonProperty("allowed_lateness_seconds")
    public long allowedLatenessSeconds() {
        return allowedLatenessMs / 1000;
    }

    @JsonProperty("updated_at")
    @Override
    public Instant updatedAt() {
        return updatedAt;
    }
}
