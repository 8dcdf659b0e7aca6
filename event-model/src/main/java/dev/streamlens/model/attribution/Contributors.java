package dev.streamlens.model.attribution;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who the calls of a window were for — end users, or sessions — in bounded memory: one
 * {@link HeavyHitters} summary per {@link Figure} (cost, requests, tokens, errors), so the heaviest
 * ids by each figure are kept whatever the number of ids. Calls without an id count under
 * {@link #NO_ID}, so the figures of all ids always add up to the window's totals.
 * Mergeable across windows, series and subtasks, as the latency sketches are; stored with each
 * metrics row ({@code top_users}, {@code top_sessions}) in the format of {@link #encode}.
 */
public final class Contributors {

    /** What the calls of an id add up to, and what its heaviest are ranked by. */
    public enum Figure {
        /** What the calls cost, in nano-dollars (each call's exact cost rounded to the nano-dollar). */
        COST_NANO_USD,
        /** Completed calls (as a row's {@code requests}). */
        REQUESTS,
        /** Prompt plus completion tokens. */
        TOKENS,
        /** Completed calls that failed. */
        ERRORS
    }

    /** The id calls without one count under. */
    public static final String NO_ID = "";

    /** Ids a window's row keeps per figure (and twice as many at most while counting). */
    public static final int ROW_CAPACITY = 500;

    private static final Figure[] FIGURES = Figure.values();
    private static final int FORMAT = 1;

    private final HeavyHitters summaries;
    /** One call's weights, reused (a summary is never shared between threads). */
    private final long[] amounts = new long[FIGURES.length];

    private Contributors(HeavyHitters summaries) {
        this.summaries = summaries;
    }

    /** An empty summary keeping {@code capacity} ids per figure. */
    public static Contributors withCapacity(int capacity) {
        return new Contributors(new HeavyHitters(FIGURES.length, capacity));
    }

    /**
     * A row's summary of exact figures per id (calls without an id under {@link #NO_ID}), built at
     * once: what adding their calls one by one would keep, but every id held exact, and without the
     * cuts' churn.
     */
    public static Contributors ofExact(ExactFigures figuresById, int capacity) {
        return new Contributors(HeavyHitters.ofExact(capacity, figuresById));
    }

    /**
     * What {@code ofExact(figuresById, capacity).encode()} gives — bytes that decode to the same
     * summary (ids in another order) — without building the summary in between: a batch's exact
     * counts go straight to bytes.
     */
    public static byte[] encodeExact(ExactFigures figuresById, int capacity) {
        long[] totals = new long[FIGURES.length];
        long[] floors = new long[FIGURES.length];
        HeavyHitters.floorsOfExact(capacity, figuresById, totals, floors);
        int held = 0;
        for (int slot = 0; slot < figuresById.slots(); slot++) {
            held += isHeldExact(figuresById, slot, floors) ? 1 : 0;
        }
        EncodedBytes.Writer out = new EncodedBytes.Writer(16 + 8 * FIGURES.length + 32 * held);
        writeHeader(out, capacity, totals, floors, held);
        for (int slot = 0; slot < figuresById.slots(); slot++) {
            if (!isHeldExact(figuresById, slot, floors)) {
                continue;
            }
            out.writeString(figuresById.idAt(slot));
            for (int f = 0; f < FIGURES.length; f++) {
                long amount = figuresById.figureAt(slot, f);
                if (HeavyHitters.isHeldExact(amount, floors[f])) {
                    out.writeVarint(amount + 1);
                    out.writeVarint(0); // exact: no error
                } else {
                    out.writeVarint(0);
                }
            }
        }
        return out.toByteArray();
    }

    private static boolean isHeldExact(ExactFigures figures, int slot, long[] floors) {
        if (figures.idAt(slot) == null) {
            return false;
        }
        for (int f = 0; f < FIGURES.length; f++) {
            if (HeavyHitters.isHeldExact(figures.figureAt(slot, f), floors[f])) {
                return true;
            }
        }
        return false;
    }

    /** An empty summary of a window's row. */
    public static Contributors forRow() {
        return withCapacity(ROW_CAPACITY);
    }

    /** Counts one completed call for an id (null: the call had none). */
    public void add(String id, long costNanoUsd, long tokens, boolean failed) {
        addCalls(id, 1, costNanoUsd, tokens, failed ? 1 : 0);
    }

    /** Counts several completed calls of one id at once (null: they had none). */
    public void addCalls(String id, long calls, long costNanoUsd, long tokens, long errors) {
        amounts[Figure.COST_NANO_USD.ordinal()] = costNanoUsd;
        amounts[Figure.REQUESTS.ordinal()] = calls;
        amounts[Figure.TOKENS.ordinal()] = tokens;
        amounts[Figure.ERRORS.ordinal()] = errors;
        summaries.add(id == null ? NO_ID : id, amounts);
    }

    public void merge(Contributors other) {
        summaries.merge(other.summaries);
    }

    /** Forgets an id everywhere (a privacy deletion): its calls stay in the totals, under no id held. */
    public void forget(String id) {
        summaries.forget(id);
    }

    /** Counts an id's calls under another id from now on (a tag value folded into "other"); totals stay. */
    public void fold(String id, String into) {
        summaries.moveInto(id, into);
    }

    /** Whether any figure holds this id. */
    public boolean holds(String id) {
        return summaries.holds(id);
    }

    /** Every id some figure holds. */
    public Set<String> ids() {
        return summaries.entries().keySet();
    }

    /** The figure summed over every call, whatever its id. */
    public long total(Figure figure) {
        return summaries.total(figure.ordinal());
    }

    /**
     * The threshold: no id the summary does not hold has more of the figure, so any id above it is
     * held. 0 while the summary has never let an id go (then every figure is exact).
     */
    public long errorBound(Figure figure) {
        return summaries.floor(figure.ordinal());
    }

    /** An id's figures: what is certain, and the most each can be. */
    public Contributor of(String id) {
        long[] counted = new long[FIGURES.length];
        long[] atMost = new long[FIGURES.length];
        for (int i = 0; i < FIGURES.length; i++) {
            counted[i] = summaries.lower(id, i);
            atMost[i] = summaries.upper(id, i);
        }
        return new Contributor(id, counted, atMost);
    }

    /** The {@code n} ids with the most of a figure, heaviest first, each with all its figures. */
    public List<Contributor> heaviest(Figure by, int n) {
        List<Contributor> top = new ArrayList<>();
        for (String id : summaries.heaviest(by.ordinal(), n)) {
            top.add(of(id));
        }
        return top;
    }

    /**
     * One id's figures: what was counted for it for certain (never more than true) and the most it
     * can be; the two are equal when the figure is exact.
     */
    public record Contributor(String id, long[] counted, long[] atMost) {
        public long counted(Figure figure) {
            return counted[figure.ordinal()];
        }

        public long atMost(Figure figure) {
            return atMost[figure.ordinal()];
        }

        public boolean exact(Figure figure) {
            return counted(figure) == atMost(figure);
        }
    }

    /**
     * The portable form stored with a row: the capacity, per figure its total and floor, then each
     * id once with, per figure, its count plus one (0: not held) and, when held, its error.
     */
    public byte[] encode() {
        Map<String, long[]> entries = summaries.entries();
        EncodedBytes.Writer out = new EncodedBytes.Writer(16 + 8 * FIGURES.length + 32 * entries.size());
        long[] totals = new long[FIGURES.length];
        long[] floors = new long[FIGURES.length];
        for (int f = 0; f < FIGURES.length; f++) {
            totals[f] = summaries.total(f);
            floors[f] = summaries.floor(f);
        }
        writeHeader(out, summaries.capacity(), totals, floors, entries.size());
        for (Map.Entry<String, long[]> entry : entries.entrySet()) {
            out.writeString(entry.getKey());
            long[] counts = entry.getValue();
            for (int f = 0; f < FIGURES.length; f++) {
                if (HeavyHitters.isHeld(counts[2 * f])) {
                    out.writeVarint(counts[2 * f] + 1);
                    out.writeVarint(counts[2 * f + 1]);
                } else {
                    out.writeVarint(0);
                }
            }
        }
        return out.toByteArray();
    }

    private static void writeHeader(EncodedBytes.Writer out, int capacity, long[] totals, long[] floors, int ids) {
        out.writeByte(FORMAT);
        out.writeVarint(capacity);
        for (int f = 0; f < FIGURES.length; f++) {
            out.writeVarint(totals[f]);
            out.writeVarint(floors[f]);
        }
        out.writeVarint(ids);
    }

    /** The summary {@link #encode} wrote; {@link IllegalArgumentException} for anything else. */
    public static Contributors decode(byte[] encoded) {
        EncodedBytes.Reader in = new EncodedBytes.Reader(encoded);
        int format = in.readByte();
        if (format != FORMAT) {
            throw new IllegalArgumentException("not an encoded contributors summary: unknown format " + format);
        }
        int capacity = (int) in.readVarint();
        long[] totals = new long[FIGURES.length];
        long[] floors = new long[FIGURES.length];
        for (int f = 0; f < FIGURES.length; f++) {
            totals[f] = in.readVarint();
            floors[f] = in.readVarint();
        }
        long ids = in.readVarint();
        if (ids > encoded.length) { // each id takes a byte at least: a corrupt count must not size the map
            throw new IllegalArgumentException("not an encoded contributors summary: " + ids + " ids");
        }
        HeavyHitters summaries = new HeavyHitters(FIGURES.length, capacity, (int) ids);
        summaries.restore(floors, totals);
        for (int i = 0; i < ids; i++) {
            String id = in.readString();
            long[] entry = summaries.newEntry();
            for (int f = 0; f < FIGURES.length; f++) {
                long countPlusOne = in.readVarint();
                if (countPlusOne > 0) {
                    entry[2 * f] = countPlusOne - 1;
                    entry[2 * f + 1] = in.readVarint();
                }
            }
            summaries.restoreEntry(id, entry);
        }
        return new Contributors(summaries);
    }

    public Contributors copy() {
        Contributors copy = withCapacity(summaries.capacity());
        copy.merge(this);
        return copy;
    }
}
