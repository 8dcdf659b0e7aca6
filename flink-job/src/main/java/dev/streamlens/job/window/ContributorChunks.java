package dev.streamlens.job.window;

import dev.streamlens.model.Varints;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.ExactFigures;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A window's summary of its end users (or sessions), kept as the encoded summaries of the batches
 * that reached it, merged only when the window fires or when {@link #MAX_CHUNKS} have piled up.
 * The window stage reads and writes its accumulator for every batch (RocksDB); decoding and
 * re-encoding a summary of hundreds of ids each time cost a quarter of the job's time, copying the
 * encoded bytes costs next to nothing. Calls added one by one (a pre-aggregated batch, a late
 * call) go to a live summary, encoded when the accumulator is written.
 */
final class ContributorChunks {

    /** Encoded summaries held before they are merged into one. */
    static final int MAX_CHUNKS = 16;

    private final List<byte[]> chunks = new ArrayList<>();
    /** Calls added one by one since the last encoding, counted exactly; null when none. */
    private ExactFigures live;

    /**
     * Distinct ids the live table holds before it is encoded into a chunk. Late calls and calls of a
     * window closed before a restore arrive one by one into a window that may stay open a long time
     * (heap backend: the accumulator is never written out), so the exact table must not grow with the
     * window's distinct ids.
     */
    static final int MAX_LIVE_IDS = 2 * Contributors.ROW_CAPACITY;

    void add(String id, long costNanoUsd, long tokens, boolean failed) {
        addCalls(id, 1, costNanoUsd, tokens, failed ? 1 : 0);
    }

    void addCalls(String id, long calls, long costNanoUsd, long tokens, long errors) {
        live().add(id, calls, costNanoUsd, tokens, errors);
        if (live.size() > MAX_LIVE_IDS) {
            chunks.add(Contributors.encodeExact(live, Contributors.ROW_CAPACITY));
            live = null;
            mergeChunksIfMany();
        }
    }

    /** Takes on another window's (or batch's) summaries; the other is not changed. */
    void merge(ContributorChunks other) {
        chunks.addAll(other.chunks);
        if (other.live != null) {
            chunks.add(Contributors.encodeExact(other.live, Contributors.ROW_CAPACITY));
        }
        mergeChunksIfMany();
    }

    private void mergeChunksIfMany() {
        if (chunks.size() > MAX_CHUNKS) {
            Contributors merged = merged();
            chunks.clear();
            live = null;
            chunks.add(merged.encode());
        }
    }

    /** Every call's summary merged into one (the row's). */
    Contributors merged() {
        if (chunks.size() == 1 && live == null) {
            // A window one batch reached: nothing to merge. Every chunk is written with ROW_CAPACITY
            // (encodeExact and merged() below), so the decoded summary is what forRow().merge() would give.
            return Contributors.decode(chunks.get(0));
        }
        Contributors merged = Contributors.forRow();
        for (byte[] chunk : chunks) {
            merged.merge(Contributors.decode(chunk));
        }
        if (live != null) {
            merged.merge(Contributors.ofExact(live, Contributors.ROW_CAPACITY));
        }
        return merged;
    }

    /** The count of chunks, then each chunk's length and bytes (the live summary as one more). */
    void write(DataOutput out) throws IOException {
        byte[] pending = live == null ? null : Contributors.encodeExact(live, Contributors.ROW_CAPACITY);
        Varints.write(out, chunks.size() + (pending == null ? 0 : 1));
        for (byte[] chunk : chunks) {
            Varints.write(out, chunk.length);
            out.write(chunk);
        }
        if (pending != null) {
            Varints.write(out, pending.length);
            out.write(pending);
        }
    }

    static ContributorChunks read(DataInput in) throws IOException {
        ContributorChunks read = new ContributorChunks();
        long count = Varints.read(in);
        for (long i = 0; i < count; i++) {
            byte[] chunk = new byte[(int) Varints.read(in)];
            in.readFully(chunk);
            read.chunks.add(chunk);
        }
        return read;
    }

    /** Distinct ids in the live table (for tests of its bound). */
    int liveIds() {
        return live == null ? 0 : live.size();
    }

    /** Encoded summaries held (for tests of their bound). */
    int chunkCount() {
        return chunks.size();
    }

    private ExactFigures live() {
        if (live == null) {
            live = new ExactFigures();
        }
        return live;
    }
}
