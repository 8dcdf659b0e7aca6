package dev.streamlens.model.attribution;

import dev.streamlens.model.Varints;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
    public static final int ROW_CAPACITY = 100;

    private static final Figure[] FIGURES = Figure.values();
    private static final int FORMAT = 1;

    private final HeavyHitters[] byFigure = new HeavyHitters[FIGURES.length];

    private Contributors(HeavyHitters[] summaries) {
        System.arraycopy(summaries, 0, byFigure, 0, byFigure.length);
    }

    /** An empty summary keeping {@code capacity} ids per figure. */
    public static Contributors withCapacity(int capacity) {
        HeavyHitters[] summaries = new HeavyHitters[FIGURES.length];
        for (int i = 0; i < summaries.length; i++) {
            summaries[i] = new HeavyHitters(capacity);
        }
        return new Contributors(summaries);
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
        String key = id == null ? NO_ID : id;
        byFigure[Figure.COST_NANO_USD.ordinal()].add(key, costNanoUsd);
        byFigure[Figure.REQUESTS.ordinal()].add(key, calls);
        byFigure[Figure.TOKENS.ordinal()].add(key, tokens);
        byFigure[Figure.ERRORS.ordinal()].add(key, errors);
    }

    public void merge(Contributors other) {
        for (int i = 0; i < byFigure.length; i++) {
            byFigure[i].merge(other.byFigure[i]);
        }
    }

    /** Forgets an id everywhere (a privacy deletion): its calls stay in the totals, under no id held. */
    public void forget(String id) {
        for (HeavyHitters summary : byFigure) {
            summary.forget(id);
        }
    }

    /** Whether any figure holds this id. */
    public boolean holds(String id) {
        for (HeavyHitters summary : byFigure) {
            if (summary.holds(id)) {
                return true;
            }
        }
        return false;
    }

    /** Every id some figure holds. */
    public Set<String> ids() {
        Set<String> ids = new LinkedHashSet<>();
        for (HeavyHitters summary : byFigure) {
            ids.addAll(summary.entries().keySet());
        }
        return ids;
    }

    /** The figure summed over every call, whatever its id. */
    public long total(Figure figure) {
        return byFigure[figure.ordinal()].total();
    }

    /**
     * The threshold: no id the summary does not hold has more of the figure, so any id above it is
     * held. 0 while the summary has never let an id go (then every figure is exact).
     */
    public long errorBound(Figure figure) {
        return byFigure[figure.ordinal()].floor();
    }

    /** An id's figures: what is certain, and the most each can be. */
    public Contributor of(String id) {
        long[] counted = new long[FIGURES.length];
        long[] atMost = new long[FIGURES.length];
        for (int i = 0; i < FIGURES.length; i++) {
            counted[i] = byFigure[i].lower(id);
            atMost[i] = byFigure[i].upper(id);
        }
        return new Contributor(id, counted, atMost);
    }

    /** The {@code n} ids with the most of a figure, heaviest first, each with all its figures. */
    public List<Contributor> heaviest(Figure by, int n) {
        List<Contributor> top = new ArrayList<>();
        for (String id : byFigure[by.ordinal()].heaviest(n)) {
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

    /** The portable form stored with a row: each id once, then per figure its total, floor, and ids' counts and errors. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Contributors decode(byte[] encoded) {
        try {
            return read(new DataInputStream(new ByteArrayInputStream(encoded)));
        } catch (IOException e) {
            throw new IllegalArgumentException("not an encoded contributors summary", e);
        }
    }

    /** Decodes a stored summary into one of another capacity (a query merges many into a wider one). */
    public static Contributors decode(byte[] encoded, int capacity) {
        Contributors merged = withCapacity(capacity);
        merged.merge(decode(encoded));
        return merged;
    }

    public void write(DataOutput out) throws IOException {
        Set<String> ids = ids();
        Map<String, Integer> index = new HashMap<>();
        out.writeByte(FORMAT);
        Varints.write(out, byFigure[0].capacity());
        Varints.write(out, ids.size());
        for (String id : ids) {
            index.put(id, index.size());
            byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
            Varints.write(out, utf8.length);
            out.write(utf8);
        }
        for (HeavyHitters summary : byFigure) {
            Varints.write(out, summary.total());
            Varints.write(out, summary.floor());
            Varints.write(out, summary.entries().size());
            for (Map.Entry<String, long[]> entry : summary.entries().entrySet()) {
                Varints.write(out, index.get(entry.getKey()));
                Varints.write(out, entry.getValue()[0]);
                Varints.write(out, entry.getValue()[1]);
            }
        }
    }

    public static Contributors read(DataInput in) throws IOException {
        int format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown contributors format " + format);
        }
        int capacity = (int) Varints.read(in);
        String[] ids = new String[(int) Varints.read(in)];
        for (int i = 0; i < ids.length; i++) {
            byte[] utf8 = new byte[(int) Varints.read(in)];
            in.readFully(utf8);
            ids[i] = new String(utf8, StandardCharsets.UTF_8);
        }
        HeavyHitters[] summaries = new HeavyHitters[FIGURES.length];
        for (int f = 0; f < summaries.length; f++) {
            long total = Varints.read(in);
            long floor = Varints.read(in);
            HeavyHitters summary = new HeavyHitters(capacity, floor, total);
            summaries[f] = summary;
            long entries = Varints.read(in);
            for (long e = 0; e < entries; e++) {
                String id = ids[(int) Varints.read(in)];
                long count = Varints.read(in);
                summary.entries().put(id, new long[] {count, Varints.read(in)});
            }
        }
        return new Contributors(summaries);
    }

    public Contributors copy() {
        Contributors copy = withCapacity(byFigure[0].capacity());
        copy.merge(this);
        return copy;
    }
}
