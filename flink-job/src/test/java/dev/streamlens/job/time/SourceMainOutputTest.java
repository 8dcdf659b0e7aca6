package dev.streamlens.job.time;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.events.TelemetryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.api.operators.source.TimestampsAndWatermarks;
import org.apache.flink.streaming.runtime.io.PushingAsyncDataInput;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * Flink's own source event-time logic ({@code ProgressiveTimestampsAndWatermarks}, which every
 * FLIP-27 source uses) builds one watermark generator per split plus one for the reader's main
 * output, and the main output's generator emits straight into the operator's output, past the
 * minimum over the splits. The Kafka source hands every record to its split's output, so the
 * main output's generator never sees one. This test drives that real class with a restored
 * backlog that is read slowly.
 */
class SourceMainOutputTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final long BACKLOG_START = NOW - Duration.ofMinutes(40).toMillis();

    private final AtomicLong wallClock = new AtomicLong(NOW);
    private final List<Long> watermarks = new ArrayList<>();

    @Test
    void aGeneratorThatFollowsTheWallClockWhenQuietDragsEveryPartitionAheadThroughTheMainOutput() throws Exception {
        long highest = readBacklogSlowly(WatermarkStrategy.<TelemetryEvent>forGenerator(
                ctx -> new WallClockWhenQuiet(BOUND, IDLE, wallClock::get)));
        // The split itself is at BACKLOG_START + 1 s; the main output pushed the watermark ~40 minutes past it:
        // everything still waiting in the backlog is now late.
        assertThat(highest).isGreaterThan(NOW - BOUND.toMillis() - IDLE.toMillis() - 1000);
    }

    @Test
    void partitionWatermarksStayWithTheDataRead() throws Exception {
        long highest = readBacklogSlowly(
                WatermarkStrategy.<TelemetryEvent>forGenerator(ctx -> new PartitionWatermarks(BOUND, wallClock::get)));
        assertThat(highest).isEqualTo(BACKLOG_START + 1000 - BOUND.toMillis() - 1);
    }

    /** Reads two events of a 40-minute-old backlog, 40 s apart on the wall clock, and returns the highest watermark emitted. */
    private long readBacklogSlowly(WatermarkStrategy<TelemetryEvent> strategy) throws Exception {
        TimestampsAndWatermarks<TelemetryEvent> eventTime = TimestampsAndWatermarks.createProgressiveEventTimeLogic(
                strategy.withTimestampAssigner((event, ts) -> event.timestamp),
                new UnregisteredMetricsGroup(),
                new TestProcessingTimeService(),
                200,
                new ManualClock(NOW),
                new ManualClock(NOW),
                UnregisteredMetricGroups.createUnregisteredTaskMetricGroup().getIOMetricGroup());
        ReaderOutput<TelemetryEvent> main = eventTime.createMainOutput(new WatermarksOnly(), new NoListener());
        SourceOutput<TelemetryEvent> partition = main.createOutputForSplit("llm.requests-0");

        partition.collect(event(BACKLOG_START, BACKLOG_START + 100));
        eventTime.emitImmediateWatermark(wallClock.get());
        for (int i = 0; i < 8; i++) { // a slow drain: 40 s of wall clock for the next record
            wallClock.addAndGet(5000);
            eventTime.emitImmediateWatermark(wallClock.get());
        }
        partition.collect(event(BACKLOG_START + 1000, BACKLOG_START + 1100));
        eventTime.emitImmediateWatermark(wallClock.get());
        return watermarks.stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
    }

    private static TelemetryEvent event(long timestamp, long writtenAt) {
        TelemetryEvent e = TelemetryEvent.request("r-" + timestamp, timestamp, "acme", "chat", "gpt-4o", 1);
        e.writtenAt = writtenAt;
        return e;
    }

    /** The watermark generator this project used before: the wall clock after a quiet spell (3 spells before any event). */
    static final class WallClockWhenQuiet implements WatermarkGenerator<TelemetryEvent> {
        private final long bound;
        private final long idle;
        private final java.util.function.LongSupplier clock;
        private long maxEventTime = Long.MIN_VALUE;
        private long lastEventAt;

        WallClockWhenQuiet(Duration bound, Duration idle, java.util.function.LongSupplier clock) {
            this.bound = bound.toMillis();
            this.idle = idle.toMillis();
            this.clock = clock;
            this.lastEventAt = clock.getAsLong();
        }

        @Override
        public void onEvent(TelemetryEvent event, long timestamp, WatermarkOutput output) {
            maxEventTime = Math.max(maxEventTime, timestamp);
            lastEventAt = clock.getAsLong();
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long now = clock.getAsLong();
            long candidate = maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : maxEventTime - bound - 1;
            long quietFor = maxEventTime == Long.MIN_VALUE ? 3 * idle : idle;
            if (now - lastEventAt >= quietFor) {
                candidate = Math.max(candidate, now - bound - idle);
            }
            output.emitWatermark(new Watermark(candidate));
        }
    }

    /** The operator's output, as far as watermarks go. */
    private final class WatermarksOnly implements PushingAsyncDataInput.DataOutput<TelemetryEvent> {
        @Override
        public void emitRecord(StreamRecord<TelemetryEvent> record) {}

        @Override
        public void emitWatermark(org.apache.flink.streaming.api.watermark.Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {}

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {}

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {}

        @Override
        public void emitWatermark(WatermarkEvent watermark) {}
    }

    private static final class NoListener implements TimestampsAndWatermarks.WatermarkUpdateListener {
        @Override
        public void updateIdle(boolean isIdle) {}

        @Override
        public void updateCurrentEffectiveWatermark(long watermark) {}

        @Override
        public void updateCurrentSplitWatermark(String splitId, long watermark) {}

        @Override
        public void updateCurrentSplitIdle(String splitId, boolean idle) {}

        @Override
        public void splitFinished(String splitId) {}
    }
}
