package dev.streamlens.model.attribution;

import dev.streamlens.model.attribution.Contributors.Figure;

/**
 * Calls counted exactly per id — cost, requests, tokens, errors — for a batch that becomes a
 * bounded summary once ({@link Contributors#encodeExact}). Every call costs a lookup here, so the
 * ids sit in one open-addressing table with their figures in one array beside it: no entry object,
 * no array per id, as a {@code HashMap<String, long[]>} would allocate for each new id.
 */
public final class ExactFigures {

    static final int FIGURES = Figure.values().length;
    private static final int COST = Figure.COST_NANO_USD.ordinal();
    private static final int REQUESTS = Figure.REQUESTS.ordinal();
    private static final int TOKENS = Figure.TOKENS.ordinal();
    private static final int ERRORS = Figure.ERRORS.ordinal();
    /** Small: up to 10,000 batches may be open at once, each with two or three of these; growing is cheap. */
    private static final int INITIAL_SLOTS = 8;

    /** Per slot its id (null: empty), the id's hash, and its figures at [FIGURES * slot, …]. */
    private String[] ids = new String[INITIAL_SLOTS];

    private int[] hashes = new int[INITIAL_SLOTS];
    private long[] figures = new long[INITIAL_SLOTS * FIGURES];
    /** 32 minus log2 of the slots: a hash's slot is its top bits after a Fibonacci multiply. */
    private int shift = 32 - Integer.numberOfTrailingZeros(INITIAL_SLOTS);

    private int size;

    /** Counts calls of one id (null: the calls had none, counted under {@link Contributors#NO_ID}). */
    public void add(String id, long calls, long costNanoUsd, long tokens, long errors) {
        int at = FIGURES * slotOf(id == null ? Contributors.NO_ID : id);
        figures[at + COST] += costNanoUsd;
        figures[at + REQUESTS] += calls;
        figures[at + TOKENS] += tokens;
        figures[at + ERRORS] += errors;
    }

    /** Ids counted. */
    public int size() {
        return size;
    }

    // ---- read by the summary built from it: slots 0 … slots() - 1, empty ones holding no id ----

    int slots() {
        return ids.length;
    }

    String idAt(int slot) {
        return ids[slot];
    }

    long figureAt(int slot, int figure) {
        return figures[FIGURES * slot + figure];
    }

    private int slotOf(String id) {
        int hash = id.hashCode();
        int mask = ids.length - 1;
        int slot = home(hash);
        while (ids[slot] != null) {
            if (hashes[slot] == hash && ids[slot].equals(id)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        if (2 * (size + 1) > ids.length) { // kept at most half full, so probes stay short
            grow();
            return slotOf(id);
        }
        ids[slot] = id;
        hashes[slot] = hash;
        size++;
        return slot;
    }

    private void grow() {
        String[] oldIds = ids;
        int[] oldHashes = hashes;
        long[] oldFigures = figures;
        ids = new String[2 * oldIds.length];
        hashes = new int[ids.length];
        figures = new long[FIGURES * ids.length];
        shift--;
        int mask = ids.length - 1;
        for (int old = 0; old < oldIds.length; old++) {
            if (oldIds[old] == null) {
                continue;
            }
            int slot = home(oldHashes[old]);
            while (ids[slot] != null) {
                slot = (slot + 1) & mask;
            }
            ids[slot] = oldIds[old];
            hashes[slot] = oldHashes[old];
            System.arraycopy(oldFigures, FIGURES * old, figures, FIGURES * slot, FIGURES);
        }
    }

    /** Where a hash's probe starts: its Fibonacci hash's top bits, spread whatever bits the hashes differ in. */
    private int home(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }
}
