package dev.streamlens.job.time;

import dev.streamlens.model.Durations;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * Refuses to restore state written under another window size or allowed lateness. Both are baked
 * into the timers already registered: Flink's window operator recognises a window's cleanup timer
 * only at {@code end + lateness}, so state restored under another lateness would never be cleared,
 * and windows of another size would write rows over the old ones. The join timeout may change: each
 * waiting request keeps the deadline it arrived with.
 */
public final class TimingGuard {

    /** Fails the job for good (no restart loop) with a message that says what to do. */
    @ThrowableAnnotation(ThrowableType.NonRecoverableError)
    public static final class IncompatibleRestoreException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        IncompatibleRestoreException(String message) {
            super(message);
        }
    }

    /** (window size, allowed lateness) in milliseconds, as every subtask last checkpointed them. */
    private static final ListStateDescriptor<Tuple2<Long, Long>> TIMING =
            new ListStateDescriptor<>("window-and-lateness", Types.TUPLE(Types.LONG, Types.LONG));

    private TimingGuard() {}

    /**
     * Records the window size and allowed lateness in the operator's checkpoints, and on a restore
     * throws {@link IncompatibleRestoreException} when they differ from the ones given.
     */
    public static void check(FunctionInitializationContext context, Duration window, Duration allowedLateness)
            throws Exception {
        Tuple2<Long, Long> now = Tuple2.of(window.toMillis(), allowedLateness.toMillis());
        ListState<Tuple2<Long, Long>> stored = context.getOperatorStateStore().getUnionListState(TIMING);
        if (context.isRestored()) {
            for (Tuple2<Long, Long> before : stored.get()) {
                if (!before.equals(now)) {
                    throw new IncompatibleRestoreException("the state being restored was written with --window "
                            + text(before.f0) + " and --allowed-lateness " + text(before.f1) + ", not "
                            + text(now.f0) + " and " + text(now.f1) + ": restore with the same values, "
                            + "or start without state (a new checkpoint directory) to change them");
                }
            }
        }
        stored.update(List.of(now));
    }

    private static String text(long ms) {
        return Durations.format(Duration.ofMillis(ms));
    }
}
