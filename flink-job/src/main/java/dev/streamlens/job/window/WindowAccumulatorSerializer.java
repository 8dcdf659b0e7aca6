package dev.streamlens.job.window;

import dev.streamlens.model.LatencySketch;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a window's accumulator as its counters plus the sketches' bins as varints,
 * so Flink never falls back to Kryo for it and RocksDB stores a few hundred bytes per window.
 * The format describes itself, so state written by an older job restores: format 1 began with
 * the request count (never negative), format 2 begins with the marker -2 and adds the prompt-cache,
 * reasoning and streaming figures after format 1's fields, format 3 begins with -3 and adds the
 * truncated calls after format 2's, format 4 begins with -4 and adds the calls' own costs (priced
 * after the join), the unpriced calls and the price version after format 3's, then the token sums
 * restored from a format of before (flag, then the sums); format 5 begins with -5 and adds the
 * end-user and session summaries ({@link ContributorChunks}) after format 4's; format 6 begins with -6
 * and adds the tag values' summary after format 5's (a window restored from format 5 or older counts
 * its calls under no tag value: its tenant declared none then). A window restored from
 * format 3 or older was priced on its sums: those sums are kept apart and priced so when it fires.
 * A window restored from format 4 or older counts its calls under no end user and no session.
 */
public final class WindowAccumulatorSerializer extends TypeSerializerSingleton<WindowAccumulator> {

    private static final long serialVersionUID = 1L;

    public static final WindowAccumulatorSerializer INSTANCE = new WindowAccumulatorSerializer();

    /** Written first as its negative (-6); format 1 started with the request count (never negative). */
    private static final int FORMAT = 6;

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
        out.writeLong(-FORMAT);
        out.writeLong(acc.requests);
        out.writeLong(acc.errors);
        out.writeLong(acc.timeouts);
        out.writeLong(acc.promptTokens);
        out.writeLong(acc.completionTokens);
        out.writeDouble(acc.latencySumMs);
        acc.latencies.writeCompact(out);
        out.writeLong(acc.cachedPromptTokens);
        out.writeLong(acc.cacheWriteTokens);
        out.writeLong(acc.reasoningTokens);
        out.writeLong(acc.streamedRequests);
        out.writeDouble(acc.generationMsSum);
        acc.ttfts.writeCompact(out);
        out.writeLong(acc.truncatedRequests);
        out.writeLong(acc.costPicoDollars);
        out.writeLong(acc.unpricedRequests);
        out.writeLong(acc.priceVersion);
        WindowAccumulator.RestoredSums restored = acc.restored;
        out.writeBoolean(restored != null);
        if (restored != null) {
            out.writeLong(restored.requests);
            out.writeLong(restored.promptTokens);
            out.writeLong(restored.cachedPromptTokens);
            out.writeLong(restored.cacheWriteTokens);
            out.writeLong(restored.completionTokens);
            out.writeLong(restored.reasoningTokens);
        }
        acc.users.write(out);
        acc.sessions.write(out);
        acc.tags.write(out);
    }

    @Override
    public WindowAccumulator deserialize(DataInputView in) throws IOException {
        long first = in.readLong();
        long format = first < 0 ? -first : 1;
        WindowAccumulator acc = new WindowAccumulator();
        acc.requests = format >= 2 ? in.readLong() : first;
        acc.errors = in.readLong();
        acc.timeouts = in.readLong();
        acc.promptTokens = in.readLong();
        acc.completionTokens = in.readLong();
        acc.latencySumMs = in.readDouble();
        acc.latencies = LatencySketch.readCompact(in);
        if (format >= 2) {
            acc.cachedPromptTokens = in.readLong();
            acc.cacheWriteTokens = in.readLong();
            acc.reasoningTokens = in.readLong();
            acc.streamedRequests = in.readLong();
            acc.generationMsSum = in.readDouble();
            acc.ttfts = LatencySketch.readCompact(in);
            if (format >= 3) {
                acc.truncatedRequests = in.readLong();
            }
        } else {
            acc.generationMsSum = acc.latencySumMs; // format 1 knew no streamed calls
        }
        if (format >= 4) {
            acc.costPicoDollars = in.readLong();
            acc.unpricedRequests = in.readLong();
            acc.priceVersion = in.readLong();
            if (in.readBoolean()) {
                acc.restored = new WindowAccumulator.RestoredSums();
                acc.restored.requests = in.readLong();
                acc.restored.promptTokens = in.readLong();
                acc.restored.cachedPromptTokens = in.readLong();
                acc.restored.cacheWriteTokens = in.readLong();
                acc.restored.completionTokens = in.readLong();
                acc.restored.reasoningTokens = in.readLong();
            }
        } else if (acc.requests > 0) {
            // Priced on its sums by the job that wrote it: kept apart, to be priced so again.
            acc.restored = new WindowAccumulator.RestoredSums();
            acc.restored.requests = acc.requests;
            acc.restored.promptTokens = acc.promptTokens;
            acc.restored.cachedPromptTokens = acc.cachedPromptTokens;
            acc.restored.cacheWriteTokens = acc.cacheWriteTokens;
            acc.restored.completionTokens = acc.completionTokens;
            acc.restored.reasoningTokens = acc.reasoningTokens;
        }
        if (format >= 5) {
            acc.users = ContributorChunks.read(in);
            acc.sessions = ContributorChunks.read(in);
            if (format >= 6) {
                acc.tags = ContributorChunks.read(in);
            }
        } else {
            acc.countRestoredCallsUnderNoId(format >= 4);
        }
        return acc;
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
