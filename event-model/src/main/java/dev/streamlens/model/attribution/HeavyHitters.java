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
 * weighted Space-Saving summary (Metwally et al., 2005) that cuts lazily, mergeable (Agarwal et
 * al., "Mergeable Summaries", PODS 2012).
 *
 * <p>Each id held has a count and an error: its true weight lies between the count minus the error
 * and the count. It counts every id exactly (error 0) until it holds twice its capacity; it then
 * keeps the {@code capacity} heaviest and raises its {@link #floor} to the heaviest count it let
 * go: no id it does not hold weighs more than the floor, so an id heavier than the floor is always
 * held. An id seen again after it was let go (or seen for the first time after a cut) starts from
 * the floor, with the floor as its error. An id held since its first call therefore stays exact
 * through any number of cuts — the heavy ids of skewed traffic are — which a Misra–Gries summary,
 * taking every cut off every count, cannot offer.
 *
 * <p>Merging adds the counts of ids both hold; an id only one side holds may have weighed up to the
 * other side's floor there, which its count and error take on. The floors add up.
 */
final class HeavyHitters {

    private static final int COUNT = 0;
    private static final int ERROR = 1;

    private final int capacity;
    /** Per id: its count (an upper bound of its weight) and its error (count minus error is a lower bound). */
    private final Map<String, long[]> held;

    private long floor;
    private long total;

    HeavyHitters(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.held = new HashMap<>();
    }

    /** Restores a summary written earlier. */
    HeavyHitters(int capacity, long floor, long total) {
        this(capacity);
        this.floor = floor;
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
        long[] entry = held.get(id);
        if (entry != null) {
            entry[COUNT] += weight;
            return;
        }
        held.put(id, new long[] {floor + weight, floor});
        if (held.size() > 2 * capacity) {
            keepHeaviest(capacity);
        }
    }

    /** Adds another summary's ids; see the class comment for how the bounds combine. */
    void merge(HeavyHitters other) {
        if (other.floor > 0) {
            for (Map.Entry<String, long[]> entry : held.entrySet()) {
                if (!other.held.containsKey(entry.getKey())) {
                    entry.getValue()[COUNT] += other.floor;
                    entry.getValue()[ERROR] += other.floor;
                }
            }
        }
        for (Map.Entry<String, long[]> entry : other.held.entrySet()) {
            long[] theirs = entry.getValue();
            long[] mine = held.get(entry.getKey());
            if (mine == null) {
                held.put(entry.getKey(), new long[] {theirs[COUNT] + floor, theirs[ERROR] + floor});
            } else {
                mine[COUNT] += theirs[COUNT];
                mine[ERROR] += theirs[ERROR];
            }
        }
        floor += other.floor;
        total += other.total;
        if (held.size() > 2 * capacity) {
            keepHeaviest(capacity);
        }
    }

    /** Forgets an id: its weight stays in the total, as weight of no id held. */
    void forget(String id) {
        held.remove(id);
    }

    /** At most the id's true weight: its count minus its error, or 0 when it is not held. */
    long lower(String id) {
        long[] entry = held.get(id);
        return entry == null ? 0 : entry[COUNT] - entry[ERROR];
    }

    /** At least the id's true weight: its count, or the floor when it is not held. */
    long upper(String id) {
        long[] entry = held.get(id);
        return entry == null ? floor : entry[COUNT];
    }

    boolean holds(String id) {
        return held.containsKey(id);
    }

    /** No id this summary does not hold weighs more (0 while it has never let an id go). */
    long floor() {
        return floor;
    }

    /** The weight of every id together, held or not. */
    long total() {
        return total;
    }

    int capacity() {
        return capacity;
    }

    /** The ids held, by lower bound, heaviest first (ties by id, so the order is the same on every run). */
    List<String> heaviest(int n) {
        List<Map.Entry<String, long[]>> entries = new ArrayList<>(held.entrySet());
        entries.sort(
                Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -(e.getValue()[COUNT] - e.getValue()[ERROR]))
                        .thenComparing(Map.Entry::getKey));
        List<String> ids = new ArrayList<>(Math.min(n, entries.size()));
        for (int i = 0; i < entries.size() && i < n; i++) {
            ids.add(entries.get(i).getKey());
        }
        return ids;
    }

    /** Per id held: its count and its error (the encoded form's). */
    Map<String, long[]> entries() {
        return held;
    }

    /** Keeps the {@code n} highest counts (fewer on ties) and raises the floor to the highest let go. */
    private void keepHeaviest(int n) {
        long[] counts = new long[held.size()];
        int i = 0;
        for (long[] entry : held.values()) {
            counts[i++] = entry[COUNT];
        }
        Arrays.sort(counts);
        long cut = counts[counts.length - n - 1]; // the (n+1)-th highest: it and all below go
        Iterator<long[]> entries = held.values().iterator();
        while (entries.hasNext()) {
            if (entries.next()[COUNT] <= cut) {
                entries.remove();
            }
        }
        floor = Math.max(floor, cut);
    }
}
