package dev.streamlens.job.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A restored subtask sends the watermark its checkpoint held before anything else, the lowest
 * any subtask held when the parallelism changes, and drops the lower ones its source emits while
 * catching up; a job started without state sends none.
 */
class RestoredWatermarkTest {

    private static final int MAX_PARALLELISM = 128;

    @Test
    void aFreshStartSendsNoWatermarkOfItsOwnAndPassesEverythingOn() throws Exception {
        try (var harness = harness(1, 0)) {
            harness.open();
            assertThat(harness.getOutput()).isEmpty();
            harness.processElement(new StreamRecord<>("a", 5));
            harness.processWatermark(new Watermark(10));
            assertThat(List.copyOf(harness.getOutput())).containsExactly(new StreamRecord<>("a", 5), new Watermark(10));
        }
    }

    @Test
    void aRestoredSubtaskResumesAtTheCheckpointsWatermarkBeforeItsFirstRecord() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = harness(1, 0)) {
            harness.open();
            harness.processWatermark(new Watermark(1_000));
            checkpoint = harness.snapshot(1, 1_100);
            harness.processWatermark(new Watermark(2_000)); // after the checkpoint: not in its state
        }
        try (var restored = harness(1, 0)) {
            restored.initializeState(checkpoint);
            restored.open();
            assertThat(List.copyOf(restored.getOutput())).as("sent as it opens").containsExactly(new Watermark(1_000));

            restored.processElement(new StreamRecord<>("old", 400));
            restored.processWatermark(new Watermark(300)); // the source catching up: dropped
            restored.processWatermark(new Watermark(1_000)); // not above: dropped
            restored.processWatermark(new Watermark(1_500));
            assertThat(List.copyOf(restored.getOutput()))
                    .containsExactly(new Watermark(1_000), new StreamRecord<>("old", 400), new Watermark(1_500));

            // Restored again from a checkpoint taken before the source caught up: still 1 000, not less.
            OperatorSubtaskState again;
            try (var beforeCatchingUp = harness(1, 0)) {
                beforeCatchingUp.initializeState(checkpoint);
                beforeCatchingUp.open();
                again = beforeCatchingUp.snapshot(2, 2_000);
            }
            try (var thirdRun = harness(1, 0)) {
                thirdRun.initializeState(again);
                thirdRun.open();
                assertThat(List.copyOf(thirdRun.getOutput())).containsExactly(new Watermark(1_000));
            }
        }
    }

    @Test
    void afterARescaleEverySubtaskResumesAtTheLowestWatermarkAnySubtaskHeld() throws Exception {
        OperatorSubtaskState first;
        OperatorSubtaskState second;
        try (var a = harness(2, 0);
                var b = harness(2, 1)) {
            a.open();
            b.open();
            a.processWatermark(new Watermark(5_000));
            b.processWatermark(new Watermark(3_000));
            first = a.snapshot(1, 1);
            second = b.snapshot(1, 1);
        }
        OperatorSubtaskState both = AbstractStreamOperatorTestHarness.repackageState(first, second);
        for (int subtask = 0; subtask < 3; subtask++) {
            OperatorSubtaskState mine =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(both, MAX_PARALLELISM, 2, 3, subtask);
            try (var restored = harness(3, subtask)) {
                restored.initializeState(mine);
                restored.open();
                assertThat(List.copyOf(restored.getOutput()))
                        .as("subtask %d of 3", subtask)
                        .containsExactly(new Watermark(3_000));
            }
        }
    }

    @Test
    void aSubtaskThatHadNoWatermarkYetLeavesTheRestoredJobWithoutOne() throws Exception {
        OperatorSubtaskState first;
        OperatorSubtaskState second;
        try (var a = harness(2, 0);
                var b = harness(2, 1)) {
            a.open();
            b.open();
            a.processWatermark(new Watermark(5_000)); // b's partition had no record yet
            first = a.snapshot(1, 1);
            second = b.snapshot(1, 1);
        }
        OperatorSubtaskState both = AbstractStreamOperatorTestHarness.repackageState(first, second);
        try (var restored = harness(1, 0)) {
            restored.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(both, MAX_PARALLELISM, 2, 1, 0));
            restored.open();
            assertThat(restored.getOutput()).isEmpty();
        }
    }

    private static OneInputStreamOperatorTestHarness<String, String> harness(int parallelism, int subtask)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new RestoredWatermark<>(), MAX_PARALLELISM, parallelism, subtask);
    }
}
