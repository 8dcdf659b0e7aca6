package dev.streamlens.job.time;

import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;

/**
 * The watermark an operator had passed on when a checkpoint was taken, kept in union operator
 * state: Flink keeps none itself, and a restored job starts without one (docs/DESIGN.md, "A restore
 * resumes at the checkpoint's watermark"). On restore every subtask sees what every subtask of the
 * earlier run kept, whatever the parallelism is now, and takes the lowest: the operator's
 * watermark at the checkpoint.
 *
 * <p>The end of time ({@link Long#MAX_VALUE}, what {@code flink stop --drain} and the end of a
 * bounded input send) is never kept: a job resumed after a drained stop goes on counting from the
 * last watermark its events made. A checkpoint that holds it anyway (written before this rule)
 * restores as no watermark.
 */
public final class CheckpointedWatermark {

    /** The end of event time: a drained stop's or a bounded input's last watermark, never a time to resume at. */
    public static final long END_OF_TIME = Long.MAX_VALUE;

    private static final ListStateDescriptor<Long> DESCRIPTOR =
            new ListStateDescriptor<>("watermark-passed-on", Types.LONG);

    private final ListState<Long> kept;
    private final long restored;

    private CheckpointedWatermark(ListState<Long> kept, long restored) {
        this.kept = kept;
        this.restored = restored;
    }

    /** Registers the state in the operator's {@code initializeState}. */
    public static CheckpointedWatermark register(StateInitializationContext context) throws Exception {
        return register(context, DESCRIPTOR, false);
    }

    /**
     * Another time of the same kind under its own name, restored as the highest any subtask kept
     * ({@code highest}) or the lowest.
     */
    public static CheckpointedWatermark register(StateInitializationContext context, String name, boolean highest)
            throws Exception {
        return register(context, new ListStateDescriptor<>(name, Types.LONG), highest);
    }

    private static CheckpointedWatermark register(
            StateInitializationContext context, ListStateDescriptor<Long> descriptor, boolean highest)
            throws Exception {
        ListState<Long> kept = context.getOperatorStateStore().getUnionListState(descriptor);
        long restored = Long.MIN_VALUE;
        if (context.isRestored()) {
            boolean any = false;
            long combined = highest ? Long.MIN_VALUE : Long.MAX_VALUE;
            for (Long time : kept.get()) {
                combined = highest ? Math.max(combined, time) : Math.min(combined, time);
                any = true;
            }
            // Nothing kept: a checkpoint taken before this state existed. The end of time: a drained stop.
            restored = any && combined != END_OF_TIME ? combined : Long.MIN_VALUE;
        }
        return new CheckpointedWatermark(kept, restored);
    }

    /** The watermark at the restored checkpoint, or {@link Long#MIN_VALUE} (a start without state, or a subtask that had none). */
    public long restored() {
        return restored;
    }

    /**
     * Keeps this subtask's watermark in the checkpoint being taken (call from {@code snapshotState});
     * the end of time is not a watermark to keep, the caller passes the last one before it.
     */
    public void keep(long watermark) throws Exception {
        if (watermark == END_OF_TIME) {
            throw new IllegalArgumentException("the end of time is not a watermark to resume at");
        }
        kept.update(List.of(watermark));
    }
}
