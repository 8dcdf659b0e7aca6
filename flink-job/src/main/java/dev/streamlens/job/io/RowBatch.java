package dev.streamlens.job.io;

import dev.streamlens.model.EventJson;
import dev.streamlens.model.MetricsRow;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The window rows one sink subtask produced between two checkpoints (the newest of each window),
 * written to PostgreSQL once the checkpoint that covers them completes.
 */
public record RowBatch(List<MetricsRow> rows) {

    /** Kept in checkpoints as the JSON of llm.metrics, so a batch outlives a change of classes. */
    static final class Serializer implements SimpleVersionedSerializer<RowBatch> {

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(RowBatch batch) throws IOException {
            return EventJson.mapper().writeValueAsBytes(batch.rows());
        }

        @Override
        public RowBatch deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown row batch version " + version);
            }
            return new RowBatch(Arrays.asList(EventJson.mapper().readValue(serialized, MetricsRow[].class)));
        }
    }
}
