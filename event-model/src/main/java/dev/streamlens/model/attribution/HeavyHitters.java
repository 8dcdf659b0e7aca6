package dev.streamlens.model.attribution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The heaviest ids of each of several weights (cost, requests, …) among any number of ids, in
 * bounded memory: per weight, a weighted Space-Saving summary (Metwally et al., 2005) that cuts
 * lazily, mergeable (Agarwal et al., "Mergeable Summaries", PODS 2012). The weights share one map
 * of ids, so a call costs one lookup and an id is stored once.
 *
 * <p>Per weight, each id held has a count and an error: its true weight lies between the count
 * minus the error and the count. Every id is counted exactly (error 0) until a weight holds twice
 * the capacity of ids; that weight then keeps the {@code capacity} heaviest and raises its floor
 * to the heaviest count it let go: no id it does not hold weighs more than the floor, so an id
 * heavier than the floor is always held. An id seen again after it was let go (or seen for the
 * first time after a cut) starts from the floor, with the floor as its error. An id held since its
 * first call therefore stays exact through any number of cuts — the heavy ids of skewed traffic
 * are — which a Misra–Gries summary, taking every cut off every count, cannot offer.
 *
 * <p>Merging adds the counts of ids both sides hold; an id only one side holds may have weighed up
 * to the other side's floor there, which its count and error take on. The floors add up.
 */
final class HeavyHitters {

    /** A count that says the weight does not hold the id. */
    private static final long NOT_HELD = -1;

    private final int weights;
    private final int capacity;
    /** Per id, per weight w: its count at [2w] (NOT_HELD: not held) and its error at [2w + 1]. */
    private final Map<String, long[]> held;

    private final long[] floor;
    private final long[] total;
    /** Ids each weight holds. */
    private final int[] holding;

    HeavyHitters(int weights, int capacity) {
        this(weights, capacity, 16);
    }

    /** @param expectedIds ids about to be added (a decoded summary's), to size the map once */
    HeavyHitters(int weights, int capacity, int expectedIds) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.weights = weights;
        this.capacity = capacity;
        this.held = new HashMap<>(Math.max(16, expectedIds * 4 / 3 + 1));
        this.floor = new long[weights];
        this.total = new long[weights];
        this.holding = new int[weights];
    }

    /**
     * The summary {@link #add} would keep, built at once from exact weights per id: per weight
     * every id with some of it when at most twice the capacity have, else the {@code capacity}
     * heaviest (fewer on ties) with the floor at the heaviest let go. Every id held is exact.
     */
    static HeavyHitters ofExact(int capacity, ExactFigures exact) {
        int weights = ExactFigures.FIGURES;
        HeavyHitters built = new HeavyHitters(weights, capacity, exact.size());
        floorsOfExact(capacity, exact, built.total, built.floor);
        for (int slot = 0; slot < exact.slots(); slot++) {
            if (exact.idAt(slot) == null) {
                continue;
            }
            long[] entry = null;
            for (int w = 0; w < weights; w++) {
                long amount = exact.figureAt(slot, w);
                if (isHeldExact(amount, built.floor[w])) {
                    if (entry == null) {
                        entry = built.newEntry();
                    }
                    entry[2 * w] = amount;
                    entry[2 * w + 1] = 0;
                }
            }
            if (entry != null) {
                built.restoreEntry(exact.idAt(slot), entry);
            }
        }
        return built;
    }

    /**
     * Fills {@code totals} and {@code floors} of the summary {@link #ofExact} builds: per weight
     * the floor stays 0 unless more than twice the capacity of ids have some of it; then it is the
     * heaviest amount let go.
     */
    static void floorsOfExact(int capacity, ExactFigures exact, long[] totals, long[] floors) {
        for (int w = 0; w < ExactFigures.FIGURES; w++) {
            int nonZero = 0;
            for (int slot = 0; slot < exact.slots(); slot++) {
                long amount = exact.idAt(slot) == null ? 0 : exact.figureAt(slot, w);
                totals[w] += amount;
                nonZero += amount > 0 ? 1 : 0;
            }
            if (nonZero > 2 * capacity) {
                long[] counts = new long[nonZero];
                int i = 0;
                for (int slot = 0; slot < exact.slots(); slot++) {
                    long amount = exact.idAt(slot) == null ? 0 : exact.figureAt(slot, w);
                    if (amount > 0) {
                        counts[i++] = amount;
                    }
                }
                Arrays.sort(counts);
                floors[w] = counts[counts.length - capacity - 1];
            }
        }
    }

    /** Whether {@link #ofExact} holds an exact amount of a weight whose floor is {@code floor}. */
    static boolean isHeldExact(long amount, long floor) {
        return amount > 0 && amount > floor;
    }

    /** Counts one id's weights (a weight of 0 leaves that weight untouched). */
    void add(String id, long[] amounts) {
        long[] entry = held.get(id);
        for (int w = 0; w < weights; w++) {
            long amount = amounts[w];
            if (amount < 0) {
                throw new IllegalArgumentException("a weight is never negative: " + amount + " for " + id);
            }
            if (amount == 0) {
                continue;
            }
            total[w] += amount;
            if (entry == null) {
                entry = newEntry();
                held.put(id, entry);
            }
            if (entry[2 * w] == NOT_HELD) {
                entry[2 * w] = floor[w] + amount;
                entry[2 * w + 1] = floor[w];
                holding[w]++;
            } else {
                entry[2 * w] += amount;
            }
        }
        cutWhereFull();
    }

    /** Adds another summary's ids; see the class comment for how the bounds combine. */
    void merge(HeavyHitters other) {
        for (int w = 0; w < weights; w++) {
            if (other.floor[w] == 0) {
                continue;
            }
            for (Map.Entry<String, long[]> entry : held.entrySet()) {
                long[] mine = entry.getValue();
                long[] theirs = other.held.get(entry.getKey());
                if (mine[2 * w] != NOT_HELD && (theirs == null || theirs[2 * w] == NOT_HELD)) {
                    mine[2 * w] += other.floor[w];
                    mine[2 * w + 1] += other.floor[w];
                }
            }
        }
        for (Map.Entry<String, long[]> entry : other.held.entrySet()) {
            long[] theirs = entry.getValue();
            long[] mine = held.get(entry.getKey());
            if (mine == null) {
                mine = newEntry();
                held.put(entry.getKey(), mine);
            }
            for (int w = 0; w < weights; w++) {
                if (theirs[2 * w] == NOT_HELD) {
                    continue;
                }
                if (mine[2 * w] == NOT_HELD) {
                    mine[2 * w] = theirs[2 * w] + floor[w];
                    mine[2 * w + 1] = theirs[2 * w + 1] + floor[w];
                    holding[w]++;
                } else {
                    mine[2 * w] += theirs[2 * w];
                    mine[2 * w + 1] += theirs[2 * w + 1];
                }
            }
        }
        for (int w = 0; w < weights; w++) {
            floor[w] += other.floor[w];
            total[w] += other.total[w];
        }
        cutWhereFull();
    }

    /** Forgets an id: its weights stay in the totals, as weights of no id held. */
    void forget(String id) {
        long[] entry = held.remove(id);
        if (entry != null) {
            for (int w = 0; w < weights; w++) {
                if (entry[2 * w] != NOT_HELD) {
                    holding[w]--;
                }
            }
        }
    }

    /**
     * Counts one id's weights under another id from now on (values folded into "other"): the totals
     * do not change. Where a side is not held, its weight is at most the floor, which the moved
     * count and its error take on, as a merge does.
     */
    void moveInto(String from, String into) {
        if (from.equals(into)) {
            return;
        }
        long[] moved = held.remove(from);
        if (moved == null) {
            return;
        }
        long[] target = held.get(into);
        if (target == null) {
            target = newEntry();
            held.put(into, target);
        }
        for (int w = 0; w < weights; w++) {
            boolean movedHeld = moved[2 * w] != NOT_HELD;
            boolean targetHeld = target[2 * w] != NOT_HELD;
            if (movedHeld) {
                holding[w]--;
            }
            if (movedHeld && targetHeld) {
                target[2 * w] += moved[2 * w];
                target[2 * w + 1] += moved[2 * w + 1];
            } else if (movedHeld) {
                target[2 * w] = moved[2 * w] + floor[w];
                target[2 * w + 1] = moved[2 * w + 1] + floor[w];
                holding[w]++;
            } else if (targetHeld) {
                target[2 * w] += floor[w];
                target[2 * w + 1] += floor[w];
            }
        }
        if (heldNowhere(target)) {
            held.remove(into);
        }
    }

    /** At most the id's true weight: its count minus its error, or 0 when not held. */
    long lower(String id, int w) {
        long[] entry = held.get(id);
        return entry == null || entry[2 * w] == NOT_HELD ? 0 : entry[2 * w] - entry[2 * w + 1];
    }

    /** At least the id's true weight: its count, or the floor when not held. */
    long upper(String id, int w) {
        long[] entry = held.get(id);
        return entry == null || entry[2 * w] == NOT_HELD ? floor[w] : entry[2 * w];
    }

    /** Whether any weight holds the id. */
    boolean holds(String id) {
        return held.containsKey(id);
    }

    /** No id this weight does not hold weighs more (0 while it has never let an id go). */
    long floor(int w) {
        return floor[w];
    }

    /** The weight of every id together, held or not. */
    long total(int w) {
        return total[w];
    }

    int capacity() {
        return capacity;
    }

    /** The ids a weight holds, by lower bound, heaviest first (ties by id: the same order on every run). */
    List<String> heaviest(int w, int n) {
        List<Map.Entry<String, long[]>> entries = new ArrayList<>();
        for (Map.Entry<String, long[]> entry : held.entrySet()) {
            if (entry.getValue()[2 * w] != NOT_HELD) {
                entries.add(entry);
            }
        }
        entries.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(
                        e -> -(e.getValue()[2 * w] - e.getValue()[2 * w + 1]))
                .thenComparing(Map.Entry::getKey));
        List<String> ids = new ArrayList<>(Math.min(n, entries.size()));
        for (int i = 0; i < entries.size() && i < n; i++) {
            ids.add(entries.get(i).getKey());
        }
        return ids;
    }

    // ---- the encoded form's access -----------------------------------------------------------

    /** Per id: per weight its count (-1: not held) and error. */
    Map<String, long[]> entries() {
        return held;
    }

    /** Restores a weight's floor and total and an id's counts, as {@link #entries} gave them. */
    void restore(long[] floors, long[] totals) {
        System.arraycopy(floors, 0, floor, 0, weights);
        System.arraycopy(totals, 0, total, 0, weights);
    }

    void restoreEntry(String id, long[] entry) {
        held.put(id, entry);
        for (int w = 0; w < weights; w++) {
            if (entry[2 * w] != NOT_HELD) {
                holding[w]++;
            }
        }
    }

    static boolean isHeld(long count) {
        return count != NOT_HELD;
    }

    long[] newEntry() {
        long[] entry = new long[2 * weights];
        for (int w = 0; w < weights; w++) {
            entry[2 * w] = NOT_HELD;
        }
        return entry;
    }

    private void cutWhereFull() {
        for (int w = 0; w < weights; w++) {
            if (holding[w] > 2 * capacity) {
                keepHeaviest(w);
            }
        }
    }

    /** Keeps a weight's {@code capacity} highest counts (fewer on ties) and raises its floor to the highest let go. */
    private void keepHeaviest(int w) {
        long[] counts = new long[holding[w]];
        int i = 0;
        for (long[] entry : held.values()) {
            if (entry[2 * w] != NOT_HELD) {
                counts[i++] = entry[2 * w];
            }
        }
        Arrays.sort(counts);
        long cut = counts[counts.length - capacity - 1]; // the (capacity+1)-th highest: it and all below go
        Iterator<long[]> entries = held.values().iterator();
        while (entries.hasNext()) {
            long[] entry = entries.next();
            if (entry[2 * w] != NOT_HELD && entry[2 * w] <= cut) {
                entry[2 * w] = NOT_HELD;
                entry[2 * w + 1] = 0;
                holding[w]--;
                if (heldNowhere(entry)) {
                    entries.remove();
                }
            }
        }
        floor[w] = Math.max(floor[w], cut);
    }

    private boolean heldNowhere(long[] entry) {
        for (int w = 0; w < weights; w++) {
            if (entry[2 * w] != NOT_HELD) {
                return false;
            }
        }
        return true;
    }
}
