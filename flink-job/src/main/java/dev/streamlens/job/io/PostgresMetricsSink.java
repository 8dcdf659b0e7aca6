package dev.streamlens.job.io;

import dev.streamlens.job.time.CheckpointedWatermark;
import dev.streamlens.model.MetricsRow;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Window rows into {@code llm_metrics}, and their hours into {@code llm_metrics_hourly}, exactly
 * once and in step with the job's checkpoints (docs/DESIGN.md#exactly-once), and without ever
 * stopping the job while PostgreSQL is away:
 * <ul>
 *   <li>rows wait here until a checkpoint, travel in it (operator state), and are written by
 *       {@link PostgresCommitter} in one transaction once it has completed. PostgreSQL therefore
 *       only ever holds what completed checkpoints hold, as the committed records of
 *       {@code llm.metrics} do. A restore writes the restored rows again, which the idempotent
 *       upsert makes harmless. No XA, no prepared transactions;</li>
 *   <li>a write that fails (PostgreSQL down, frozen or refusing) neither fails the task nor sleeps
 *       in it: the rows stay, merged with later ones (the newest row of each window), in every
 *       later checkpoint, and the next completed checkpoint tries again. The job keeps reading,
 *       checkpointing and committing its Kafka transactions, so an outage of any length costs
 *       memory — one row per window touched meanwhile — not a restart loop, and never lets a
 *       Kafka transaction outlive its timeout. A write is bounded by the connection's timeouts
 *       ({@link JdbcTarget}).</li>
 * </ul>
 * A recompute (a bounded run) fails instead: its last checkpoint is its only chance.
 *
 * <p>The cost: a row appears one checkpoint later than an at-least-once write would show it
 * (docs/BENCHMARKS.md), and rows of a window revised several times within one checkpoint
 * interval are written once.
 */
public final class PostgresMetricsSink extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<MetricsRow, Void> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PostgresMetricsSink.class);
    private static final long REPORT_EVERY_MS = Duration.ofMinutes(1).toMillis();
    private static final ListStateDescriptor<byte[]> WAITING =
            new ListStateDescriptor<>("rows-not-yet-in-postgres", BytePrimitiveArraySerializer.INSTANCE);

    private final JdbcTarget target;
    private final PipelineProgress.Timing timing;
    private final PostgresCommitter.Mode mode;

    private transient PostgresCommitter committer;
    private transient ListState<byte[]> waitingState;
    /** Rows since the last checkpoint. */
    private transient Rows current;
    /** Rows of checkpoints taken but not yet completed, by checkpoint id. */
    private transient TreeMap<Long, Rows> taken;
    /** Rows of completed checkpoints not yet in PostgreSQL. */
    private transient Rows completed;

    private transient long outageSince;
    private transient long lastReport;
    private transient Counter failedWrites;

    /**
     * @param timing the window size and allowed lateness written with the progress, for readers to judge finality
     */
    public PostgresMetricsSink(JdbcTarget target, PipelineProgress.Timing timing, PostgresCommitter.Mode mode) {
        this.target = target;
        this.timing = timing;
        this.mode = mode;
    }

    /** Adds the sink after {@code rows}, as wide as they are (it then chains to the window stage). */
    public static SingleOutputStreamOperator<Void> addTo(
            DataStream<MetricsRow> rows,
            JdbcTarget target,
            PipelineProgress.Timing timing,
            PostgresCommitter.Mode mode) {
        return rows.transform(
                        "llm_metrics and llm_metrics_hourly", Types.VOID, new PostgresMetricsSink(target, timing, mode))
                .setParallelism(rows.getParallelism());
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        current = new Rows();
        taken = new TreeMap<>();
        completed = new Rows();
        waitingState = context.getOperatorStateStore().getListState(WAITING);
        // Everything restored belongs to the restored checkpoint or earlier ones: all completed.
        for (byte[] stored : waitingState.get()) {
            completed.mergeRestored(
                    SimpleVersionedSerialization.readVersionAndDeSerialize(new RowBatch.Serializer(), stored));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        committer = new PostgresCommitter(
                target,
                timing,
                mode,
                new PipelineProgress.Subtask(
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                        getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks()),
                getMetricGroup());
        failedWrites = getMetricGroup().counter("streamlens_postgres_failed_writes");
        getMetricGroup().gauge("streamlens_postgres_rows_waiting", this::rowsWaiting);
        // Event-time lag: how far the job's time is behind the wall clock (large during a backlog or after traffic
        // stops).
        getMetricGroup().gauge("streamlens_event_time_lag_ms", this::eventTimeLagMillis);
        if (!completed.isEmpty()) {
            writeCompleted(); // a restore writes the restored checkpoint's rows at once
        }
    }

    @Override
    public void processElement(StreamRecord<MetricsRow> element) {
        current.put(element.getValue());
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() != CheckpointedWatermark.END_OF_TIME) {
            current.watermark = Math.max(current.watermark, mark.getTimestamp()); // the end of time is no progress
        }
        super.processWatermark(mark);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        Rows batch = current;
        current = new Rows();
        current.watermark = batch.watermark;
        taken.put(context.getCheckpointId(), batch);
        // One merged batch: on restore all of it belongs to completed checkpoints.
        Rows all = completed.copy();
        taken.values().forEach(all::merge);
        waitingState.update(List.of(
                SimpleVersionedSerialization.writeVersionAndSerialize(new RowBatch.Serializer(), all.toBatch())));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        Map<Long, Rows> done = taken.headMap(checkpointId, true);
        done.values().forEach(completed::merge); // in checkpoint order: newer rows win
        done.clear();
        writeCompleted();
    }

    /** Writes the rows of every completed checkpoint, or keeps them for the next one. */
    private void writeCompleted() throws IOException {
        if (completed.isEmpty() && completed.watermark == completed.writtenWatermark) {
            return;
        }
        try {
            committer.write(new ArrayList<>(completed.rows.values()), completed.watermark);
            if (outageSince != 0) {
                LOG.info(
                        "PostgreSQL written again after {} s: {} rows that waited",
                        (System.currentTimeMillis() - outageSince) / 1000,
                        completed.rows.size());
                outageSince = 0;
            }
            completed.rows.clear();
            completed.writtenWatermark = completed.watermark;
        } catch (SQLException e) {
            if (mode == PostgresCommitter.Mode.RECOMPUTE) {
                throw new IOException("could not write the recomputed rows to " + target, e);
            }
            failedWrites.inc();
            long now = System.currentTimeMillis();
            if (outageSince == 0) {
                outageSince = now;
            }
            if (now - lastReport >= REPORT_EVERY_MS) {
                lastReport = now;
                LOG.warn(
                        "could not write {} rows to {} (failing for {} s); they wait in the checkpoints and are written "
                                + "once it answers: {}",
                        completed.rows.size(),
                        target,
                        (now - outageSince) / 1000,
                        e.toString());
            }
        }
    }

    private long rowsWaiting() {
        long waiting = completed.rows.size() + current.rows.size();
        for (Rows rows : taken.values()) {
            waiting += rows.rows.size();
        }
        return waiting;
    }

    private long eventTimeLagMillis() {
        long watermark = current.watermark;
        return watermark == Long.MIN_VALUE ? 0 : System.currentTimeMillis() - watermark;
    }

    @Override
    public void close() throws Exception {
        if (committer != null) {
            committer.close();
        }
        super.close();
    }

    /** The newest row of each window, and the newest watermark, of one or more checkpoints. */
    private static final class Rows {

        private record WindowKey(String tenant, String route, String model, Instant start) {}

        final Map<WindowKey, MetricsRow> rows = new LinkedHashMap<>();
        long watermark = Long.MIN_VALUE;
        long writtenWatermark = Long.MIN_VALUE;

        void put(MetricsRow row) {
            // Within one run a window's revisions only grow: the last row is the newest.
            rows.put(new WindowKey(row.tenantId(), row.route(), row.model(), row.windowStart()), row);
        }

        void merge(Rows later) {
            later.rows.values().forEach(this::put);
            watermark = Math.max(watermark, later.watermark);
        }

        /** A restored batch; of several (a rescale), the progress takes the lowest watermark. */
        void mergeRestored(RowBatch batch) {
            batch.rows().forEach(this::put);
            if (batch.hasWatermark()) {
                watermark = watermark == Long.MIN_VALUE ? batch.watermark() : Math.min(watermark, batch.watermark());
            }
        }

        boolean isEmpty() {
            return rows.isEmpty();
        }

        Rows copy() {
            Rows copy = new Rows();
            copy.merge(this);
            return copy;
        }

        RowBatch toBatch() {
            return new RowBatch(new ArrayList<>(rows.values()), watermark);
        }
    }
}
