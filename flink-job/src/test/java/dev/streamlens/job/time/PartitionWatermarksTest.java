package dev.streamlens.job.time;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.events.TelemetryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class PartitionWatermarksTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final long BOUND = 5000;

    private final AtomicLong clock = new AtomicLong(NOW);
    private final List<Long> emitted = new ArrayList<>();
    private final List<String> idleness = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idleness.add("idle");
        }

        @Override
        public void markActive() {
            idleness.add("active");
        }
    };
    private final PartitionWatermarks generator = new PartitionWatermarks(Duration.ofMillis(BOUND), clock::get);

    @Test
    void followsEventTimeMinusTheBoundWhileEventsFlow() {
        event(NOW - 1000, NOW - 900);
        event(NOW - 3000, NOW - 800); // out of order: does not move it back
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 1000 - BOUND - 1);
    }

    @Test
    void emitsNothingBeforeItHasReadARecordHoweverLongItWaits() {
        // The source reader's main output gets a generator that never sees a record: it must stay silent.
        for (int i = 0; i < 100; i++) {
            clock.addAndGet(60_000);
            generator.onPeriodicEmit(output);
        }
        assertThat(emitted).isEmpty();
        assertThat(idleness).isEmpty();
    }

    @Test
    void doesNotFollowTheWallClockWhenQuiet() {
        event(NOW - 60_000, NOW - 59_000);
        generator.onPeriodicEmit(output);
        clock.addAndGet(Duration.ofHours(1).toMillis()); // a paused process, a backlog: nothing more was read
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 60_000 - BOUND - 1);
    }

    @Test
    void aClockTickMovesItToWhenTheTickWasWritten() {
        event(NOW - 60_000, NOW - 59_000);
        generator.onEvent(TelemetryEvent.clockTick(NOW - 1000), NOW - 1000, output);
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 1000 - BOUND - 1);
    }

    @Test
    void anEventStampedAheadCountsOnlyUpToWhenItWasWritten() {
        event(NOW - 2000, NOW - 1900);
        event(NOW + 240_000, NOW - 1000); // a client whose clock runs four minutes ahead
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 1000 - BOUND - 1);
    }

    @Test
    void aRecordTimestampAheadOfThisClockCannotPushItEither() {
        event(NOW + 240_000, NOW + 240_000); // another producer, stamping records with its own fast clock
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - BOUND - 1);
        generator.onEvent(TelemetryEvent.clockTick(NOW + 240_000), NOW + 240_000, output);
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - BOUND - 1);
    }

    @Test
    void anEventWithoutRecordTimestampCountsByItsOwnTime() {
        TelemetryEvent e = TelemetryEvent.request("r", NOW - 3000, "t", "r", "m", 0);
        generator.onEvent(e, NOW - 3000, output);
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 3000 - BOUND - 1);
    }

    @Test
    void ignoresRejectedRecordsAndNeverMovesBackwards() {
        event(NOW - 1000, NOW - 1000);
        generator.onPeriodicEmit(output);
        TelemetryEvent rejected = TelemetryEvent.rejected("llm.requests", null, new byte[0], NOW + 999_999, "bad");
        rejected.writtenAt = NOW;
        generator.onEvent(rejected, NOW + 999_999, output);
        event(NOW - 100_000, NOW - 99_000);
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 1000 - BOUND - 1);
    }

    private void event(long timestamp, long writtenAt) {
        TelemetryEvent e = TelemetryEvent.request("r", timestamp, "t", "r", "m", 0);
        e.writtenAt = writtenAt;
        generator.onEvent(e, timestamp, output);
    }
}
