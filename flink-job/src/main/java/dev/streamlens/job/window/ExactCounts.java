package dev.streamlens.job.window;

import dev.streamlens.model.attribution.Contributors;
import java.util.HashMap;
import java.util.Map;

/**
 * The calls of one batch counted exactly per id — a map lookup per call, no summary's cuts — until
 * the batch leaves the pre-aggregator, then turned into a bounded summary once
 * ({@link Contributors#ofExact}). The pre-aggregator bounds the calls a batch holds, so the ids too.
 */
final class ExactCounts {

    /** Per id: cost in nano-dollars, requests, tokens, errors ({@link Contributors.Figure} order). */
    private final Map<String, long[]> byId = new HashMap<>();

    void add(String id, long calls, long costNanoUsd, long tokens, long errors) {
        long[] figures = byId.computeIfAbsent(id == null ? Contributors.NO_ID : id, k -> new long[4]);
        figures[Contributors.Figure.COST_NANO_USD.ordinal()] += costNanoUsd;
        figures[Contributors.Figure.REQUESTS.ordinal()] += calls;
        figures[Contributors.Figure.TOKENS.ordinal()] += tokens;
        figures[Contributors.Figure.ERRORS.ordinal()] += errors;
    }

    Contributors summary() {
        return Contributors.ofExact(byId, Contributors.ROW_CAPACITY);
    }
}
