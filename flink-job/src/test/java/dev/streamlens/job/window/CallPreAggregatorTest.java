package dev.streamlens.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.events.TelemetryEvent;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mini-batch before the window stage: calls of one series and window become one batch with
 * their totals, sent before the next watermark, checkpoint barrier, idle status or end of input;
 * a call for a window the watermark has passed goes on alone and at once.
 */
class CallPreAggregatorTest {

    private static final long W0 = Instant.parse("2025-11-20T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;

    private OneInputStreamOperatorTestHarness<JoinedCall, CallBatch> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new CallPreAggregator(MINUTE, 0, 3));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void callsOfASeriesAndWindowBecomeOneBatchSentBeforeTheWatermarkThatClosesTheWindow() throws Exception {
        add(call("r1", "acme", "gpt-4o", W0 + 1_000, 100, false));
        add(call("r2", "acme", "gpt-4o", W0 + 2_000, 300, true));
        add(call("r3", "acme", "gpt-4o", W0 + MINUTE + 5, 50, false)); // the next window
        add(call("r4", "globex", "gpt-4o", W0 + 3_000, 70, false)); // another series
        assertThat(harness.getOutput()).as("nothing leaves before a watermark").isEmpty();
        harness.processWatermark(new Watermark(W0 + 10_000));
        assertThat(List.copyOf(harness.getOutput()))
                .as("a watermark inside the window passes on alone: the window stage cannot fire yet")
                .containsExactly(new Watermark(W0 + 10_000));
        add(call("r5", "acme", "gpt-4o", W0 + 20_000, 200, false));
        harness.getOutput().clear();

        harness.processWatermark(new Watermark(W0 + MINUTE - 1));
        List<Object> out = List.copyOf(harness.getOutput());
        assertThat(out).as("the first window's two batches, then the watermark").hasSize(3);
        assertThat(out.get(2)).as("the watermark follows the batches").isEqualTo(new Watermark(W0 + MINUTE - 1));
        List<CallBatch> batches = harness.extractOutputValues();
        CallBatch acmeFirst = batches.stream()
                .filter(b -> b.tenantId.equals("acme") && b.eventTime < W0 + MINUTE)
                .findFirst()
                .orElseThrow();
        assertThat(acmeFirst.single).isNull();
        assertThat(acmeFirst.totals.requests).isEqualTo(3);
        assertThat(acmeFirst.totals.errors).isEqualTo(1);
        assertThat(acmeFirst.totals.latencySumMs).isEqualTo(600.0);
        assertThat(acmeFirst.totals.latencies.count()).isEqualTo(3);
        assertThat(batches).extracting(b -> b.totals.requests).containsExactlyInAnyOrder(3L, 1L);
        for (StreamRecord<? extends CallBatch> record : harness.extractOutputStreamRecords()) {
            assertThat(record.getTimestamp())
                    .as("stamped with a call's own time, in its window")
                    .isEqualTo(record.getValue().eventTime);
        }

        harness.getOutput().clear();
        harness.processWatermark(new Watermark(W0 + 2 * MINUTE - 1));
        assertThat(harness.extractOutputValues())
                .as("the next window's batch, before the watermark that closes it")
                .extracting(b -> b.totals.requests)
                .containsExactly(1L);
    }

    @Test
    void atMostMaxHeldCallsAreHeld() throws Exception {
        for (int i = 0; i < CallPreAggregator.MAX_HELD_CALLS; i++) {
            add(call("r" + i, "acme", "gpt-4o", W0 + 1_000, 1, false));
        }
        assertThat(harness.extractOutputValues())
                .as("the last call sent the batch holding them all on")
                .extracting(b -> b.totals.requests)
                .containsExactly((long) CallPreAggregator.MAX_HELD_CALLS);
    }

    @Test
    void aCallForAWindowTheWatermarkPassedGoesOnAloneAndAtOnce() throws Exception {
        harness.processWatermark(new Watermark(W0 + MINUTE - 1)); // the first window has fired
        harness.getOutput().clear();
        JoinedCall late = call("late", "acme", "gpt-4o", W0 + 30_000, 900, false);
        harness.processElement(new StreamRecord<>(late, W0 + MINUTE + 10_000));
        List<CallBatch> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).single.requestId).isEqualTo("late");
        assertThat(out.get(0).totals).as("not pre-aggregated").isNull();
        assertThat(harness.extractOutputStreamRecords().get(0).getTimestamp()).isEqualTo(W0 + 30_000);
    }

    @Test
    void nothingIsHeldAcrossACheckpointAnIdleInputOrTheEndOfInput() throws Exception {
        add(call("a", "acme", "gpt-4o", W0 + 1_000, 1, false));
        harness.prepareSnapshotPreBarrier(1);
        assertThat(harness.extractOutputValues()).hasSize(1);

        add(call("b", "acme", "gpt-4o", W0 + 2_000, 1, false));
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        assertThat(harness.extractOutputValues()).hasSize(2);

        add(call("c", "acme", "gpt-4o", W0 + 3_000, 1, false));
        harness.endInput();
        harness.getOneInputOperator().finish();
        assertThat(harness.extractOutputValues()).hasSize(3);
    }

    @Test
    void atMostMaxOpenBatchesAreHeld() throws Exception {
        for (int i = 0; i < 4; i++) {
            add(call("r" + i, "tenant-" + i, "gpt-4o", W0 + 1_000, 1, false));
        }
        assertThat(harness.extractOutputValues())
                .as("the fourth series sent the three open batches on")
                .hasSize(3);
    }

    @Test
    void afterARestoreACallForAWindowClosedForGoodAtTheCheckpointsWatermarkGoesToTheLateOutput() throws Exception {
        long lateness = 30_000;
        long checkpointWatermark = W0 + 3 * MINUTE + 10_000;
        OperatorSubtaskState checkpoint;
        try (var first = new OneInputStreamOperatorTestHarness<JoinedCall, CallBatch>(
                new CallPreAggregator(MINUTE, lateness, 3))) {
            first.open();
            first.processWatermark(new Watermark(checkpointWatermark));
            checkpoint = first.snapshot(1, 1);
        }
        try (var restored = new OneInputStreamOperatorTestHarness<JoinedCall, CallBatch>(
                new CallPreAggregator(MINUTE, lateness, 3))) {
            restored.initializeState(checkpoint);
            restored.open();
            // No watermark has reached this run yet (the window stage has none either).
            // Window [W0+1m, W0+2m) was closed for good at W0+2m-1+30s, before the checkpoint's watermark:
            restored.processElement(
                    new StreamRecord<>(call("closed", "acme", "gpt-4o", W0 + MINUTE + 5_000, 10, false)));
            // Window [W0+2m, W0+3m) had fired but could still be revised (until W0+3m-1+30s): on its own, at once.
            restored.processElement(
                    new StreamRecord<>(call("revision", "acme", "gpt-4o", W0 + 2 * MINUTE + 5_000, 10, false)));
            // A window still open: batched as always.
            restored.processElement(
                    new StreamRecord<>(call("open", "acme", "gpt-4o", W0 + 3 * MINUTE + 5_000, 10, false)));

            assertThat(restored.getSideOutput(CallPreAggregator.CLOSED_BEFORE_RESTORE))
                    .extracting(r -> r.getValue().single.requestId)
                    .containsExactly("closed");
            assertThat(restored.extractOutputValues())
                    .extracting(b -> b.single.requestId)
                    .containsExactly("revision");
        }
    }

    @Test
    void withoutACheckpointedWatermarkEveryCallGoesToTheWindowStage() throws Exception {
        // A start without state, and a restore of a checkpoint taken before the watermark was kept.
        for (OperatorSubtaskState state :
                new OperatorSubtaskState[] {null, OperatorSubtaskState.builder().build()}) {
            try (var started = new OneInputStreamOperatorTestHarness<JoinedCall, CallBatch>(
                    new CallPreAggregator(MINUTE, 30_000, 3))) {
                started.initializeState(state);
                started.open();
                started.processElement(new StreamRecord<>(call("old", "acme", "gpt-4o", W0 - 10 * MINUTE, 10, false)));
                started.processWatermark(new Watermark(W0));
                assertThat(started.getSideOutput(CallPreAggregator.CLOSED_BEFORE_RESTORE))
                        .as("from %s", state)
                        .isNull();
                assertThat(started.extractOutputValues()).as("from %s", state).hasSize(1);
            }
        }
    }

    private void add(JoinedCall call) throws Exception {
        harness.processElement(new StreamRecord<>(call, call.eventTime));
    }

    private static JoinedCall call(
            String id, String tenant, String model, long responseTs, double latency, boolean failed) {
        return JoinedCall.completed(
                TelemetryEvent.request(id, responseTs - (long) latency, tenant, "chat", model, 10),
                TelemetryEvent.response(id, responseTs, latency, 5, failed, null));
    }
}
