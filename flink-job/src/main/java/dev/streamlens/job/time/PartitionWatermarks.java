package dev.streamlens.job.time;

import dev.streamlens.job.events.TelemetryEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * The watermark of one Kafka partition, taken from what the partition holds and never from how
 * long it has been quiet on this machine's clock:
 * <ul>
 *   <li>an event moves it to {@code min(event time, when the record was written) − out-of-orderness}:
 *       a client whose clock runs ahead cannot move time for the others, because a record cannot
 *       have been written in the future (docs/DESIGN.md#what-the-numbers-mean, rule 7);</li>
 *   <li>a clock tick ({@code io.ClockTicks}) moves it to {@code when the tick was written −
 *       out-of-orderness}: everything after the tick in the partition was written later, so once
 *       the reader has reached the tick, nothing older is left to read. Ticks are how the last
 *       window closes when traffic stops;</li>
 *   <li>records that failed validation do not move it.</li>
 * </ul>
 * Because every input comes from the log in the log's order, a backlog after a restore, a paused
 * process or a backpressured job only delays the watermark: it never overtakes data not yet read.
 *
 * <p>It emits nothing until it has seen a record. That also makes the extra generator Flink builds
 * for the source reader's main output (which never sees a record when each partition has its own
 * output) harmless: an earlier generator that followed the wall clock after a quiet spell dragged
 * every partition's watermark forward through that output (docs/DESIGN.md).
 */
public final class PartitionWatermarks implements WatermarkGenerator<TelemetryEvent> {

    private final long outOfOrdernessMs;
    private final SerializableSupplier<Long> wallClock;

    /** The latest point in time the partition has been read up to (Long.MIN_VALUE: no record yet). */
    private long readUpTo = Long.MIN_VALUE;

    private long emitted = Long.MIN_VALUE;

    public PartitionWatermarks(Duration outOfOrderness, SerializableSupplier<Long> wallClock) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.wallClock = wallClock;
    }

    @Override
    public void onEvent(TelemetryEvent event, long eventTimestamp, WatermarkOutput output) {
        long time;
        if (event.isClockTick()) {
            time = event.writtenAt;
        } else if (event.isRejected()) {
            return; // its timestamp is the broker's, and it holds no event time
        } else {
            time = Math.min(eventTimestamp, event.writtenAt == Long.MIN_VALUE ? Long.MAX_VALUE : event.writtenAt);
        }
        // A producer that stamps records with a clock ahead of ours cannot push time either.
        readUpTo = Math.max(readUpTo, Math.min(time, wallClock.get()));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (readUpTo == Long.MIN_VALUE) {
            return;
        }
        long candidate = readUpTo - outOfOrdernessMs - 1;
        if (candidate > emitted) {
            emitted = candidate;
            output.emitWatermark(new Watermark(candidate));
        }
    }
}
