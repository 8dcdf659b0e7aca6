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
 */
public final class CheckpointedWatermark {

    private static final ListStateDescriptor<Long> DESCRIPTOR = new ListStateDescriptor<>("watermark-passed-on", Types.LONG);

    private final ListState<Long> kept;
    private final long restored;

    private CheckpointedWatermark(ListState<Long> kept, long restored) {
        this.kept = kept;
        this.restored = restored;
    }

    /** Registers the state in the operator's {@code initializeState}. */
    public static CheckpointedWatermark register(StateInitializationContext context) throws Exception {
        ListState<Long> kept = context.getOperatorStateStore().getUnionListState(DESCRIPTOR);
        long lowest = Long.MIN_VALUE;
        if (context.isRestored()) {
            boolean any = false;
            lowest = Long.MAX_VALUE;
            for (Long watermark : kept.get()) {
                lowest = Math.min(lowest, watermark);
                any = true;
            }
            if (!any) {
                lowest = Long.MIN_VALUE; // restored from a checkpoint taken before this state existed
            }
        }
        return new CheckpointedWatermark(kept, lowest);
    }

    /** The watermark at the restored checkpoint, or {@link Long#MIN_VALUE} (a start without state, or a subtask that had none). */
    public long restored() {
        return restored;
    }

    /** Keeps this subtask's watermark in the checkpoint being taken (call from {@code snapshotState}). */
    public void keep(long watermark) throws Exception {
        kept.update(List.of(watermark));
    }
}
