package dev.streamlens.model;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.Bin;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * A mergeable latency distribution (DDSketch, 1% relative accuracy, at most 2048 bins) — the
 * job keeps one per window instead of the raw latencies, stores it encoded with each row, and the
 * query service merges the stored ones for longer ranges. Not thread-safe.
 *
 * <p>Quantiles use the nearest-rank definition (the value of the ⌈q·n⌉-th smallest latency),
 * answered within 1% of the exact value.
 */
public final class LatencySketch {

    public static final double RELATIVE_ACCURACY = 0.01;
    /** Caps memory: 2048 bins at 1% span over 17 orders of magnitude; lower bins collapse first. */
    static final int MAX_BINS = 2048;

    private static final Supplier<Store> STORE = () -> new CollapsingLowestDenseStore(MAX_BINS);
    private static final LogarithmicMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);

    private final DDSketch sketch;

    private LatencySketch(DDSketch sketch) {
        this.sketch = sketch;
    }

    public static LatencySketch create() {
        return new LatencySketch(new DDSketch(MAPPING, STORE));
    }

    /** Reads a sketch written by {@link #encode()}. */
    public static LatencySketch decode(byte[] encoded) {
        try {
            return new LatencySketch(DDSketch.decode(ByteArrayInput.wrap(encoded), STORE));
        } catch (IOException e) {
            throw new UncheckedIOException("not an encoded latency sketch", e);
        }
    }

    /** Adds one latency in milliseconds (negative values are clamped to 0). */
    public void add(double latencyMs) {
        sketch.accept(Math.max(0.0, latencyMs));
    }

    /** Adds every latency of another sketch to this one. */
    public void merge(LatencySketch other) {
        sketch.mergeWith(other.sketch);
    }

    public long count() {
        return Math.round(sketch.getCount());
    }

    public boolean isEmpty() {
        return sketch.isEmpty();
    }

    /**
     * The nearest-rank q-quantile (0 < q <= 1) within 1% relative error, or null when empty.
     */
    public Double quantile(double q) {
        if (sketch.isEmpty()) {
            return null;
        }
        double n = sketch.getCount();
        double rank = Math.min(n, Math.max(1.0, nearestRank(q, Math.round(n))));
        Store positives = sketch.getPositiveValueStore();
        double zeros = n - positives.getTotalCount();
        if (rank <= zeros) {
            return 0.0;
        }
        double seen = zeros;
        Bin last = null;
        for (Iterator<Bin> it = positives.getAscendingIterator(); it.hasNext(); ) {
            last = it.next();
            seen += last.getCount();
            if (seen >= rank - 1e-9) {
                break;
            }
        }
        return sketch.getIndexMapping().value(last.getIndex());
    }

    /** ⌈q·n⌉ computed in decimal, so 0.95 × 20 is exactly 19 rather than a float just above or below. */
    static long nearestRank(double q, long n) {
        return java.math.BigDecimal.valueOf(q)
                .multiply(java.math.BigDecimal.valueOf(n))
                .setScale(0, java.math.RoundingMode.CEILING)
                .longValueExact();
    }

    /** The sketch in DDSketch's portable binary encoding (index mapping included). */
    public byte[] encode() {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(64 + sketch.serializedSize());
        try {
            sketch.encode(out, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.trimmedCopy();
    }

    /**
     * Writes the bins in a compact form for a stream processor's state, cheaper to write and
     * read than {@link #encode()} (which stays the portable format stored with each row): the
     * zero count, the number of bins, then each bin as index delta and count, all as varints.
     */
    public void writeCompact(DataOutput out) throws IOException {
        Store positives = sketch.getPositiveValueStore();
        Varints.write(out, Math.round(sketch.getCount() - positives.getTotalCount()));
        int[] bins = {0};
        positives.forEach((index, count) -> bins[0]++);
        Varints.write(out, bins[0]);
        int[] previous = {0};
        IOException[] failure = {null};
        positives.forEach((index, count) -> {
            try {
                Varints.write(out, zigZag(index - previous[0]));
                Varints.write(out, Math.round(count));
                previous[0] = index;
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** Reads what {@link #writeCompact} wrote. */
    public static LatencySketch readCompact(DataInput in) throws IOException {
        long zeros = Varints.read(in);
        long bins = Varints.read(in);
        Store positives = STORE.get();
        int index = 0;
        for (long i = 0; i < bins; i++) {
            long delta = Varints.read(in);
            index += (int) ((delta >>> 1) ^ -(delta & 1));
            positives.add(index, Varints.read(in));
        }
        return new LatencySketch(DDSketch.of(MAPPING, STORE.get(), positives, zeros));
    }

    private static long zigZag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    public LatencySketch copy() {
        return new LatencySketch(sketch.copy());
    }
}
