package dev.streamlens.job.window;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.time.CheckpointedWatermark;
import dev.streamlens.job.time.CommittedWatermark;
import dev.streamlens.job.time.WindowMath;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * Pre-aggregates joined calls per series and window before the window stage (a mini-batch, as
 * Flink SQL's local-global aggregation does), so the keyed window state — a RocksDB read and write
 * of the whole accumulator, sketches and end-user summaries included — is touched once per batch
 * instead of once per call. Runs chained to the join, without state of its own:
 * <ul>
 *   <li>a batch is sent on before the watermark that closes its window (the window stage fires
 *       no earlier), before every checkpoint barrier, when an input goes idle, at the end of
 *       input, and when {@code maxOpenBatches} are open or {@link #MAX_HELD_CALLS} calls are
 *       held (which bounds the memory its summaries take); a batch thus carries up to a
 *       checkpoint interval of calls, not one watermark interval's, and the window stage, the
 *       network and the summaries' encoding work per batch;</li>
 *   <li>a call for a window the watermark has already passed (a late revision, or too late for
 *       its window) is sent on its own at once, exactly as it was before batching, so revisions
 *       and the late-events output see that call.</li>
 * </ul>
 * Since a batch leaves before the watermark that closes its window, it is never late at the window
 * stage: lateness, revisions and exactly-once stay what they were. Each record's timestamp is the
 * call's own time ({@link JoinedCall#eventTime}), as {@code CallTimeStamper} did before.
 *
 * <p>A call for a window closed before this run began goes to {@link #CLOSED_BEFORE_RESTORE}, not
 * to the window stage: that stage starts without a watermark and would open the window again
 * with nothing but this call in it, a row that would replace the full one. Closed are:
 * <ul>
 *   <li>after a restore, windows closed beyond their allowed lateness at the restored
 *       checkpoint's watermark;</li>
 *   <li>after a drained stop ({@code flink stop --drain}: the end of time fired every window),
 *       also every window up to the newest call this operator had passed on — their state is
 *       gone, their rows are final;</li>
 *   <li>in a start without state, every window that had fired at the watermark earlier runs
 *       committed ({@link CommittedWatermark}): those runs wrote it, and this one knows only
 *       part of it.</li>
 * </ul>
 * Its only state is those two times ({@link CheckpointedWatermark}); nothing else is held across a
 * checkpoint.
 */
public final class CallPreAggregator extends AbstractStreamOperator<CallBatch>
        implements OneInputStreamOperator<JoinedCall, CallBatch> {

    private static final long serialVersionUID = 1L;

    /**
     * Calls the open batches hold at most before all are sent on: each call may bring a few new ids
     * into its batch's end-user, session and tag summaries, so this bounds their memory (~100 bytes
     * an id) whatever the ids' count.
     */
    static final int MAX_HELD_CALLS = 100_000;

    /** Calls for windows closed before this run began: restored, resumed after a drained stop, or started without state. */
    public static final OutputTag<CallBatch> CLOSED_BEFORE_RESTORE = new OutputTag<>("closed-before-restore") {};

    private final long windowMs;
    private final long allowedLatenessMs;
    private final int maxOpenBatches;
    private final CommittedWatermark committed;
    private transient Map<BatchKey, HeldBatch> open;
    private transient int heldCalls;
    private transient long watermark;
    /** The newest watermark that is a time, not the end of time: what a checkpoint keeps. */
    private transient long lastTime;
    /** Windows ending at or before this (+1 ms) are closed to this run. */
    private transient long closedThrough;
    /** The last window a drained stop closed, or {@link Long#MIN_VALUE}. */
    private transient long drainedThrough;

    private transient long newestCall;
    private transient CheckpointedWatermark checkpointed;
    private transient CheckpointedWatermark drained;

    /** Which batch a call joins: its series and window. */
    private record BatchKey(String tenantId, String route, String model, long windowStart) {}

    /** A batch being collected and the calls it holds (its totals net retractions out, so they cannot tell). */
    private static final class HeldBatch {
        final CallBatch batch;
        int calls;

        HeldBatch(CallBatch batch) {
            this.batch = batch;
        }
    }

    /**
     * @param windowMs          the window size (a batch never spans two windows)
     * @param allowedLatenessMs the window stage's allowed lateness (which windows are closed for good)
     * @param maxOpenBatches    batches held at most before all are sent on (bounds the memory held)
     */
    public CallPreAggregator(long windowMs, long allowedLatenessMs, int maxOpenBatches) {
        this(windowMs, allowedLatenessMs, maxOpenBatches, CommittedWatermark.NONE);
    }

    /** @param committed where a start without state finds the watermark earlier runs committed */
    public CallPreAggregator(long windowMs, long allowedLatenessMs, int maxOpenBatches, CommittedWatermark committed) {
        this.windowMs = windowMs;
        this.allowedLatenessMs = allowedLatenessMs;
        this.maxOpenBatches = maxOpenBatches;
        this.committed = committed;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = CheckpointedWatermark.register(context);
        drained = CheckpointedWatermark.register(context, "windows-closed-by-drain", true);
        drainedThrough = drained.restored();
        if (context.isRestored()) {
            watermark = checkpointed.restored();
            // the window stage's own test for a window closed for good (end - 1 + lateness <= watermark)
            long closedForGood = watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - allowedLatenessMs;
            closedThrough = Math.max(closedForGood, drainedThrough);
        } else {
            watermark = committed.read();
            closedThrough = watermark; // every window that had fired: earlier runs wrote it
        }
        lastTime = watermark;
        newestCall = Long.MIN_VALUE;
    }

    @Override
    public void open() throws Exception {
        super.open();
        open = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<JoinedCall> element) {
        JoinedCall call = element.getValue();
        long windowStart = WindowMath.windowStart(call.eventTime, windowMs);
        if (windowStart + windowMs - 1 <= closedThrough) {
            output.collect(CLOSED_BEFORE_RESTORE, new StreamRecord<>(CallBatch.of(call), call.eventTime));
            return;
        }
        newestCall = Math.max(newestCall, call.eventTime);
        if (windowStart + windowMs - 1 <= watermark) {
            output.collect(new StreamRecord<>(CallBatch.of(call), call.eventTime));
            return;
        }
        BatchKey key = new BatchKey(call.tenantId, call.route, call.model, windowStart);
        HeldBatch held = open.get(key);
        if (held == null) {
            if (open.size() >= maxOpenBatches) {
                sendAll();
            }
            held = new HeldBatch(CallBatch.collecting(call));
            open.put(key, held);
        }
        held.batch.totals.add(call);
        held.calls++;
        if (++heldCalls >= MAX_HELD_CALLS) {
            sendAll();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        sendClosedBy(watermark);
        if (mark.getTimestamp() == CheckpointedWatermark.END_OF_TIME) {
            // A drained stop: the window stage fires and forgets every window it holds, up to the newest call's.
            if (newestCall != Long.MIN_VALUE) {
                drainedThrough = Math.max(drainedThrough, WindowMath.windowStart(newestCall, windowMs) + windowMs - 1);
            }
        } else {
            lastTime = watermark;
        }
        super.processWatermark(mark);
    }

    /** An input going idle lets the window stage's watermark move on without it: nothing may wait here then. */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (status.isIdle()) {
            sendAll();
        }
        super.processWatermarkStatus(status);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        sendAll(); // no batch is held across a checkpoint
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.keep(lastTime);
        drained.keep(drainedThrough);
    }

    @Override
    public void finish() throws Exception {
        sendAll();
        super.finish();
    }

    private void sendAll() {
        for (HeldBatch held : open.values()) {
            output.collect(new StreamRecord<>(held.batch, held.batch.eventTime));
        }
        open.clear();
        heldCalls = 0;
    }

    /** Sends on the batches of every window this watermark closes (the window stage fires them next). */
    private void sendClosedBy(long watermark) {
        if (open.isEmpty()) {
            return;
        }
        var batches = open.entrySet().iterator();
        while (batches.hasNext()) {
            var entry = batches.next();
            if (entry.getKey().windowStart() + windowMs - 1 <= watermark) {
                HeldBatch held = entry.getValue();
                output.collect(new StreamRecord<>(held.batch, held.batch.eventTime));
                heldCalls -= held.calls;
                batches.remove();
            }
        }
    }
}
