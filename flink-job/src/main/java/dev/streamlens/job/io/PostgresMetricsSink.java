package dev.streamlens.job.io;

import dev.streamlens.model.MetricsRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Window rows into {@code llm_metrics}, and their hours into {@code llm_metrics_hourly}, exactly
 * once and in step with the job's checkpoints (docs/DESIGN.md#exactly-once): rows wait in the writer until a
 * checkpoint, travel in it, and are written by {@link PostgresCommitter} once it has completed.
 * PostgreSQL therefore only ever holds what the completed checkpoints (and the committed records
 * of {@code llm.metrics}) hold: a replay after a crash, in whatever order, starts from the same
 * rows the database already has. A restore writes the restored checkpoint's rows again, which the
 * idempotent upsert makes harmless. No XA, no prepared transactions.
 *
 * <p>The cost: a row appears one checkpoint later than an at-least-once write would show it
 * (docs/BENCHMARKS.md), and rows of a window revised several times within one checkpoint
 * interval are written once.
 */
public final class PostgresMetricsSink implements Sink<MetricsRow>, SupportsCommitter<RowBatch> {

    private static final long serialVersionUID = 1L;

    private final JdbcTarget target;
    private final PipelineProgress.Timing timing;
    private final PostgresCommitter.Mode mode;

    /** @param timing the window size and allowed lateness written with the progress, for readers to judge finality */
    public PostgresMetricsSink(JdbcTarget target, PipelineProgress.Timing timing) {
        this(target, timing, PostgresCommitter.Mode.LIVE);
    }

    public PostgresMetricsSink(JdbcTarget target, PipelineProgress.Timing timing, PostgresCommitter.Mode mode) {
        this.target = target;
        this.timing = timing;
        this.mode = mode;
    }

    @Override
    public SinkWriter<MetricsRow> createWriter(WriterInitContext context) {
        PendingRows writer = new PendingRows();
        // Event-time lag: how far the job's time is behind the wall clock (large during a backlog or after traffic stops).
        context.metricGroup().gauge("streamlens_event_time_lag_ms", writer::eventTimeLagMillis);
        return writer;
    }

    @Override
    public Committer<RowBatch> createCommitter(CommitterInitContext context) {
        return new PostgresCommitter(target, timing, mode, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<RowBatch> getCommittableSerializer() {
        return new RowBatch.Serializer();
    }

    /**
     * Keeps the newest row of each window, and the newest watermark, until the next checkpoint
     * hands them to the committer.
     */
    static final class PendingRows implements CommittingSinkWriter<MetricsRow, RowBatch> {

        private record WindowKey(String tenant, String route, String model, Instant start) {
        }

        private final Map<WindowKey, MetricsRow> newest = new LinkedHashMap<>();
        private volatile long watermark = Long.MIN_VALUE; // also read by the lag gauge
        private long committedWatermark = Long.MIN_VALUE;

        @Override
        public void write(MetricsRow row, Context context) {
            // Within one run a window's revisions only grow: the last row is the newest.
            newest.put(new WindowKey(row.tenantId(), row.route(), row.model(), row.windowStart()), row);
        }

        @Override
        public void writeWatermark(Watermark next) {
            watermark = Math.max(watermark, next.getTimestamp());
        }

        @Override
        public Collection<RowBatch> prepareCommit() {
            if (newest.isEmpty() && watermark == committedWatermark) {
                return List.of();
            }
            RowBatch batch = new RowBatch(new ArrayList<>(newest.values()), watermark);
            newest.clear();
            committedWatermark = watermark;
            return List.of(batch);
        }

        long eventTimeLagMillis() {
            return watermark == Long.MIN_VALUE || watermark == Long.MAX_VALUE ? 0 : System.currentTimeMillis() - watermark;
        }

        @Override
        public void flush(boolean endOfInput) {
            // Nothing is written before its checkpoint completes.
        }

        @Override
        public void close() {
        }
    }
}
