package dev.streamlens.job.io;

import dev.streamlens.model.MetricsRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    public PostgresMetricsSink(JdbcTarget target) {
        this.target = target;
    }

    @Override
    public SinkWriter<MetricsRow> createWriter(WriterInitContext context) {
        return new PendingRows();
    }

    @Override
    public Committer<RowBatch> createCommitter(CommitterInitContext context) {
        return new PostgresCommitter(target, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<RowBatch> getCommittableSerializer() {
        return new RowBatch.Serializer();
    }

    /** Keeps the newest row of each window until the next checkpoint hands them to the committer. */
    static final class PendingRows implements CommittingSinkWriter<MetricsRow, RowBatch> {

        private record WindowKey(String tenant, String route, String model, Instant start) {
        }

        private final Map<WindowKey, MetricsRow> newest = new LinkedHashMap<>();

        @Override
        public void write(MetricsRow row, Context context) {
            // Within one run a window's revisions only grow: the last row is the newest.
            newest.put(new WindowKey(row.tenantId(), row.route(), row.model(), row.windowStart()), row);
        }

        @Override
        public Collection<RowBatch> prepareCommit() {
            if (newest.isEmpty()) {
                return List.of();
            }
            RowBatch batch = new RowBatch(new ArrayList<>(newest.values()));
            newest.clear();
            return List.of(batch);
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
