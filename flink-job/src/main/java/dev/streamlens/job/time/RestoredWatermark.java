package dev.streamlens.job.time;

import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes a restored job's event sources at the watermark its checkpoint held, and a job started
 * without state at the watermark earlier runs committed ({@link CommittedWatermark}).
 *
 * <p>Flink keeps no watermark in a checkpoint: a restored job starts at none, and until its
 * sources have read enough to emit one, its timers and lateness checks see no time at all.
 * Chained to each event source, this operator keeps the watermark it has passed on
 * ({@link CheckpointedWatermark}); a restored subtask sends the watermark of the checkpoint
 * downstream as it opens, before its first record, and drops the lower watermarks its source
 * emits while it catches up. The join then starts where it stopped. The end of time a drained
 * stop sends is passed on but not kept: the resumed job goes on from the last watermark before it.
 *
 * <p>This alone does not make a record that was too late before the crash too late after it: a
 * watermark on one channel does not hold back records on another, so a downstream operator may
 * see a record before the watermark of every input has reached it. The pre-aggregation before the
 * windows therefore checks calls against its own checkpointed watermark
 * ({@code CallPreAggregator}).
 */
public final class RestoredWatermark<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    private static final long serialVersionUID = 1L;
    private static final Logger RESTORES = LoggerFactory.getLogger(RestoredWatermark.class);

    private final CommittedWatermark committed;
    private transient CheckpointedWatermark checkpointed;
    private transient long passedOn;
    /** The newest watermark passed on that is a time (not the end of time): what a checkpoint keeps. */
    private transient long lastTime;

    public RestoredWatermark() {
        this(CommittedWatermark.NONE);
    }

    /** @param committed where a start without state finds the watermark earlier runs committed */
    public RestoredWatermark(CommittedWatermark committed) {
        this.committed = committed;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = CheckpointedWatermark.register(context);
        if (context.isRestored()) {
            passedOn = checkpointed.restored();
            if (passedOn != Long.MIN_VALUE) {
                RESTORES.info("{} resumes at watermark {}", getOperatorName(), passedOn);
            }
        } else {
            passedOn = committed.read();
            if (passedOn != Long.MIN_VALUE) {
                RESTORES.info(
                        "{} starts without state at the watermark earlier runs committed: {}",
                        getOperatorName(),
                        passedOn);
            }
        }
        lastTime = passedOn;
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (passedOn != Long.MIN_VALUE) {
            output.emitWatermark(new Watermark(passedOn));
        }
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() > passedOn) {
            passedOn = mark.getTimestamp();
            if (passedOn != CheckpointedWatermark.END_OF_TIME) {
                lastTime = passedOn;
            }
            super.processWatermark(mark);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.keep(lastTime);
    }
}
