package dev.streamlens.job.io;

import dev.streamlens.model.EventJson;
import dev.streamlens.model.MetricsRow;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The window rows one sink subtask produced between two checkpoints (the newest of each window),
 * written to PostgreSQL once the checkpoint that covers them completes, with the watermark the
 * subtask had reached: every window ending at or before it has fired (its first revision is among
 * these rows or earlier ones), which is what {@code pipeline_progress} tells readers.
 *
 * @param watermark event time in epoch milliseconds, {@link Long#MIN_VALUE} when none arrived yet
 */
public record RowBatch(List<MetricsRow> rows, long watermark) {

    public RowBatch(List<MetricsRow> rows) {
        this(rows, Long.MIN_VALUE);
    }

    public boolean hasWatermark() {
        return watermark != Long.MIN_VALUE;
    }

    /**
     * Kept in checkpoints as the JSON of llm.metrics, so a batch outlives a change of classes.
     * Version 1 (rows only, before progress was kept) is still read, without a watermark.
     */
    static final class Serializer implements SimpleVersionedSerializer<RowBatch> {

        @Override
        public int getVersion() {
            return 2;
        }

        /** Version 2's layout; rows are written directly (a JSON tree in between would round costs through doubles). */
        private record Stored(List<MetricsRow> rows, long watermark) {}

        @Override
        public byte[] serialize(RowBatch batch) throws IOException {
            return EventJson.mapper().writeValueAsBytes(new Stored(batch.rows(), batch.watermark()));
        }

        @Override
        public RowBatch deserialize(int version, byte[] serialized) throws IOException {
            if (version == 1) {
                return new RowBatch(Arrays.asList(EventJson.mapper().readValue(serialized, MetricsRow[].class)));
            }
            if (version != 2) {
                throw new IOException("unknown row batch version " + version);
            }
            Stored stored = EventJson.mapper().readValue(serialized, Stored.class);
            return new RowBatch(stored.rows(), stored.watermark());
        }
    }
}
