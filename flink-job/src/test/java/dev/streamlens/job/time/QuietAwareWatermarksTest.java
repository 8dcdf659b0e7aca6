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

class QuietAwareWatermarksTest {

    private static final long NOW = 1_700_000_000_000L;

    private final AtomicLong clock = new AtomicLong(NOW);
    private final List<Long> emitted = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
        }

        @Override
        public void markActive() {
        }
    };
    private final QuietAwareWatermarks generator =
            new QuietAwareWatermarks(Duration.ofSeconds(5), Duration.ofSeconds(10), clock::get);

    @Test
    void followsEventTimeMinusTheBoundWhileEventsFlow() {
        event(NOW - 1000);
        event(NOW - 3000);   // out of order, does not move it back
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 1000 - 5000 - 1);
    }

    @Test
    void followsTheWallClockOnceQuietForTheIdleTimeout() {
        event(NOW - 60_000);
        clock.addAndGet(9_999);
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW - 60_000 - 5000 - 1);

        clock.addAndGet(1);  // quiet for exactly the idle timeout
        generator.onPeriodicEmit(output);
        assertThat(emitted).last().isEqualTo(NOW + 10_000 - 5000 - 10_000);

        clock.addAndGet(30_000);
        generator.onPeriodicEmit(output);
        assertThat(emitted).last().isEqualTo(NOW + 40_000 - 15_000);
    }

    @Test
    void anEmptyPartitionHoldsTheOthersBackOnlyForThreeIdleTimeouts() {
        generator.onPeriodicEmit(output);
        clock.addAndGet(29_999);   // a restored job's first fetch may be slow: its backlog must not be late
        generator.onPeriodicEmit(output);
        assertThat(emitted).isEmpty();
        clock.addAndGet(1);
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(NOW + 30_000 - 15_000);
    }

    @Test
    void neverMovesBackwardsAndIgnoresRejectedRecords() {
        clock.addAndGet(40_000);
        generator.onPeriodicEmit(output);
        long wallClockMark = emitted.get(0);
        generator.onEvent(TelemetryEvent.rejected("llm.requests", null, new byte[0], NOW + 999_999, "bad"),
                NOW + 999_999, output);
        event(NOW - 100_000);  // an old event after a quiet spell: it is late, the watermark stays
        generator.onPeriodicEmit(output);
        assertThat(emitted).containsExactly(wallClockMark);
    }

    private void event(long timestamp) {
        generator.onEvent(TelemetryEvent.request("r", timestamp, "t", "r", "m", 0), timestamp, output);
    }
}
