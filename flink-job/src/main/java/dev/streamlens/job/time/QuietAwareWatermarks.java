package dev.streamlens.job.time;

import dev.streamlens.job.events.TelemetryEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Per-partition watermarks with bounded out-of-orderness that keep moving when traffic stops.
 *
 * <p>While a partition receives events its watermark is {@code max event time − out-of-orderness}.
 * Once it has been quiet for the idle timeout (wall clock), its watermark follows the wall clock
 * instead: {@code now − out-of-orderness − idle timeout}. Flink's own {@code withIdleness} would
 * exclude a quiet partition from the minimum, but when <em>every</em> partition is quiet no
 * watermark moves at all and the last window never fires; this generator closes it within
 * window + out-of-orderness + idle timeout of its end.
 *
 * <p>A partition that has not delivered any event yet (a job just started or restored) waits three
 * idle timeouts before following the wall clock, so a slow first fetch after a restore does not
 * make the backlog late.
 *
 * <p>Trade-off (docs/DESIGN.md): events stamped earlier than the wall clock minus
 * (out-of-orderness + idle timeout) that arrive after such a quiet spell are late. Live
 * telemetry is stamped seconds before it arrives; a replay of old data must not pause longer
 * than the idle timeout.
 */
public final class QuietAwareWatermarks implements WatermarkGenerator<TelemetryEvent> {

    /** How many idle timeouts a partition that never delivered an event waits before following the clock. */
    static final int STARTUP_GRACE_FACTOR = 3;

    private final long outOfOrdernessMs;
    private final long idleTimeoutMs;
    private final SerializableSupplier<Long> wallClock;

    private long maxEventTime = Long.MIN_VALUE;
    private long lastEventAt;
    private long emitted = Long.MIN_VALUE;

    public QuietAwareWatermarks(Duration outOfOrderness, Duration idleTimeout, SerializableSupplier<Long> wallClock) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.idleTimeoutMs = idleTimeout.toMillis();
        this.wallClock = wallClock;
        this.lastEventAt = wallClock.get();
    }

    @Override
    public void onEvent(TelemetryEvent event, long eventTimestamp, WatermarkOutput output) {
        if (event.isRejected()) {
            return; // its timestamp is the broker's, not an event time
        }
        maxEventTime = Math.max(maxEventTime, eventTimestamp);
        lastEventAt = wallClock.get();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = wallClock.get();
        long candidate = maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : maxEventTime - outOfOrdernessMs - 1;
        long quietFor = maxEventTime == Long.MIN_VALUE ? STARTUP_GRACE_FACTOR * idleTimeoutMs : idleTimeoutMs;
        if (now - lastEventAt >= quietFor) {
            candidate = Math.max(candidate, now - outOfOrdernessMs - idleTimeoutMs);
        }
        if (candidate > emitted) {
            emitted = candidate;
            output.emitWatermark(new Watermark(candidate));
        }
    }
}
