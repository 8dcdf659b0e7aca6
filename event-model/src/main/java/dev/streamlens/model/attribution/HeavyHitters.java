package dev.streamlens.model.attribution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The heaviest ids of one weight (cost, requests, …) among any number of ids, in bounded memory: a
 * weighted Misra–Gries summary, mergeable (Agarwal et al., "Mergeable Summaries", PODS 2012).
 *
 * <p>It counts each id's weight exactly until it holds twice its capacity; it then keeps the
 * {@code capacity} heaviest, takes the weight of the next one off every count (dropping those at
 * zero) and adds that weight to {@link #offset}. So for every id, its true weight lies between what
 * is {@link #counted} for it and that plus the offset; an id not held weighs at most the offset,
 * and an id heavier than the offset is always held. While no more than twice the capacity of ids
 * were seen, the offset is 0 and every count exact. Each cut takes its weight off at least
 * {@code capacity + 1} counts, so the offset never exceeds the weight no count holds divided by
 * {@code capacity + 1}: on skewed traffic, where a few ids weigh most, it stays small.
 */
final class HeavyHitters {

    private final int capacity;
    private final Map<String, long[]> counted;
    private long offset;
    private long total;

    HeavyHitters(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.counted = new HashMap<>();
    }

    /** Restores a summary written earlier. */
    HeavyHitters(int capacity, long offset, long total) {
        this(capacity);
        this.offset = offset;
        this.total = total;
    }

    void add(String id, long weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("a weight is never negative: " + weight + " for " + id);
        }
        if (weight == 0) {
            return;
        }
        total += weight;
        long[] count = counted.get(id);
        if (count == null) {
            counted.put(id, new long[] {weight});
            if (counted.size() > 2 * capacity) {
                keepHeaviest(capacity);
            }
        } else {
            count[0] += weight;
        }
    }

    /** Adds another summary's ids; the bounds of both add up. */
    void merge(HeavyHitters other) {
        for (Map.Entry<String, long[]> entry : other.counted.entrySet()) {
            long[] count = counted.get(entry.getKey());
            if (count == null) {
                counted.put(entry.getKey(), new long[] {entry.getValue()[0]});
            } else {
                count[0] += entry.getValue()[0];
            }
        }
        offset += other.offset;
        total += other.total;
        if (counted.size() > 2 * capacity) {
            keepHeaviest(capacity);
        }
    }

    /** Forgets an id: its weight stays in the total, as weight of no id held. */
    void forget(String id) {
        counted.remove(id);
    }

    /** The weight counted for an id: at most its true weight, at least its true weight minus the offset. */
    long counted(String id) {
        long[] count = counted.get(id);
        return count == null ? 0 : count[0];
    }

    boolean holds(String id) {
        return counted.containsKey(id);
    }

    /** How much any id's true weight may exceed what is counted for it (0: every count is exact). */
    long offset() {
        return offset;
    }

    /** The weight of every id together, held or not. */
    long total() {
        return total;
    }

    int capacity() {
        return capacity;
    }

    /** The ids held, heaviest first (ties by id, so the order is the same on every run). */
    List<String> heaviest(int n) {
        List<Map.Entry<String, long[]>> entries = new ArrayList<>(counted.entrySet());
        entries.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                .thenComparing(Map.Entry::getKey));
        List<String> ids = new ArrayList<>(Math.min(n, entries.size()));
        for (int i = 0; i < entries.size() && i < n; i++) {
            ids.add(entries.get(i).getKey());
        }
        return ids;
    }

    Map<String, long[]> entries() {
        return counted;
    }

    private void keepHeaviest(int n) {
        long[] weights = new long[counted.size()];
        int i = 0;
        for (long[] count : counted.values()) {
            weights[i++] = count[0];
        }
        Arrays.sort(weights);
        long cut = weights[weights.length - n - 1]; // the (n+1)-th heaviest
        Iterator<long[]> counts = counted.values().iterator();
        while (counts.hasNext()) {
            long[] count = counts.next();
            count[0] -= cut;
            if (count[0] <= 0) {
                counts.remove();
            }
        }
        offset += cut;
    }
}
