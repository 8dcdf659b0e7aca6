package dev.streamlens.job.window;

import dev.streamlens.model.LatencySketch;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a window's accumulator as its counters plus the sketch's bins as varints,
 * so Flink never falls back to Kryo for it and RocksDB stores a few hundred bytes per window.
 */
public final class WindowAccumulatorSerializer extends TypeSerializerSingleton<WindowAccumulator> {

    private static final long serialVersionUID = 1L;

    public static final WindowAccumulatorSerializer INSTANCE = new WindowAccumulatorSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public WindowAccumulator createInstance() {
        return new WindowAccumulator();
    }

    @Override
    public WindowAccumulator copy(WindowAccumulator from) {
        return from.copy();
    }

    @Override
    public WindowAccumulator copy(WindowAccumulator from, WindowAccumulator reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(WindowAccumulator acc, DataOutputView out) throws IOException {
        out.writeLong(acc.requests);
        out.writeLong(acc.errors);
        out.writeLong(acc.timeouts);
        out.writeLong(acc.promptTokens);
        out.writeLong(acc.completionTokens);
        out.writeDouble(acc.latencySumMs);
        acc.latencies.writeCompact(out);
    }

    @Override
    public WindowAccumulator deserialize(DataInputView in) throws IOException {
        long requests = in.readLong();
        long errors = in.readLong();
        long timeouts = in.readLong();
        long promptTokens = in.readLong();
        long completionTokens = in.readLong();
        double latencySum = in.readDouble();
        return new WindowAccumulator(requests, errors, timeouts, promptTokens, completionTokens, latencySum,
                LatencySketch.readCompact(in));
    }

    @Override
    public WindowAccumulator deserialize(WindowAccumulator reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<WindowAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1 of the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<WindowAccumulator> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
