package dev.streamlens.job.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares what the job wrote with the independently computed expectation: counts, errors,
 * timeouts, token totals and cost exactly; averages to 1e-9; percentiles within the sketch's 1%
 * of the exact nearest-rank value. Returns the differences, empty when everything matches.
 */
public final class MetricsComparison {

    private MetricsComparison() {}

    public static List<String> differences(
            ExpectedMetrics expected, Map<ExpectedMetrics.Key, PipelineOutputs.Actual> actual) {
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<ExpectedMetrics.Key, ExpectedMetrics.Row> e : expected.rows.entrySet()) {
            PipelineOutputs.Actual a = actual.get(e.getKey());
            if (a == null) {
                diffs.add("missing " + e.getKey());
                continue;
            }
            ExpectedMetrics.Row x = e.getValue();
            String at = e.getKey() + ": ";
            exact(diffs, at + "requests", x.requests, a.requests());
            exact(diffs, at + "errors", x.errors, a.errors());
            exact(diffs, at + "timeouts", x.timeouts, a.timeouts());
            exact(diffs, at + "total_prompt_tokens", x.promptTokens, a.totalPrompt());
            exact(diffs, at + "total_completion_tokens", x.completionTokens, a.totalCompletion());
            exact(diffs, at + "unpriced_requests", x.unpriced, a.unpriced());
            exact(diffs, at + "cached_prompt_tokens", x.cachedPromptTokens, a.cachedPrompt());
            exact(diffs, at + "cache_write_tokens", x.cacheWriteTokens, a.cacheWrite());
            exact(diffs, at + "reasoning_tokens", x.reasoningTokens, a.reasoning());
            exact(diffs, at + "streamed_requests", x.ttfts.size(), a.streamed());
            exact(diffs, at + "truncated_requests", x.truncated, a.truncated());
            if (x.ttfts.isEmpty()) {
                nullValue(diffs, at + "p95_ttft_ms", a.ttftP95());
            } else {
                close(diffs, at + "p50_ttft_ms", ExpectedMetrics.nearestRank(x.ttfts, 0.50), a.ttftP50(), 0.01);
                close(diffs, at + "p95_ttft_ms", ExpectedMetrics.nearestRank(x.ttfts, 0.95), a.ttftP95(), 0.01);
                close(diffs, at + "p99_ttft_ms", ExpectedMetrics.nearestRank(x.ttfts, 0.99), a.ttftP99(), 0.01);
            }
            if (x.generationMs > 0) {
                close(
                        diffs,
                        at + "output_tokens_per_second",
                        x.completionTokens * 1000.0 / x.generationMs,
                        a.outputTokensPerSecond(),
                        1e-9);
            }
            if (a.users() != null) { // null: a query API row, which leaves the summaries out
                attributed(diffs, at + "top_users", x.users, a.users());
            }
            if (a.sessions() != null) {
                attributed(diffs, at + "top_sessions", x.sessions, a.sessions());
            }
            if (a.features() != null) { // null: a job declaring no tag keys (or a query API row)
                attributed(diffs, at + "top_tags feature", x.features, a.features());
            }
            if (a.cost() == null || x.cost.compareTo(a.cost()) != 0) {
                diffs.add(at + "estimated_cost_usd expected " + x.cost.toPlainString() + " but was " + a.cost());
            }
            if (x.requests == 0) {
                nullValue(diffs, at + "avg_latency_ms", a.avgLatency());
                nullValue(diffs, at + "p95_latency_ms", a.p95());
                continue;
            }
            close(diffs, at + "avg_latency_ms", x.latencySum / x.requests, a.avgLatency(), 1e-9);
            close(diffs, at + "avg_prompt_tokens", (double) x.promptTokens / x.requests, a.avgPrompt(), 1e-9);
            close(
                    diffs,
                    at + "avg_completion_tokens",
                    (double) x.completionTokens / x.requests,
                    a.avgCompletion(),
                    1e-9);
            close(diffs, at + "p50_latency_ms", ExpectedMetrics.nearestRank(x.latencies, 0.50), a.p50(), 0.01);
            close(diffs, at + "p95_latency_ms", ExpectedMetrics.nearestRank(x.latencies, 0.95), a.p95(), 0.01);
            close(diffs, at + "p99_latency_ms", ExpectedMetrics.nearestRank(x.latencies, 0.99), a.p99(), 0.01);
        }
        for (Map.Entry<ExpectedMetrics.Key, PipelineOutputs.Actual> e : actual.entrySet()) {
            PipelineOutputs.Actual a = e.getValue();
            // A window whose only timeout was taken back (its response came late) keeps a row of zeros.
            boolean empty = a.requests() == 0 && a.timeouts() == 0;
            if (!expected.rows.containsKey(e.getKey()) && !empty) {
                diffs.add("unexpected " + e.getKey() + " = " + a);
            }
        }
        return diffs;
    }

    private static final String[] FIGURES = {"cost (nano-dollars)", "requests", "tokens", "errors"};

    /**
     * Each id's figures in a row's summary against its exact figures: equal where the summary's
     * error bound is 0, else within it (counted no more than true, true no more than counted plus
     * the bound); the totals always equal.
     */
    private static void attributed(
            List<String> diffs, String what, Map<String, long[]> expected, PipelineOutputs.Attributed actual) {
        for (int f = 0; f < FIGURES.length; f++) {
            long total = 0;
            for (long[] figures : expected.values()) {
                total += figures[f];
            }
            exact(diffs, what + " total " + FIGURES[f], total, actual.totals().get(f));
            long bound = actual.errorBounds().get(f);
            for (Map.Entry<String, long[]> id : expected.entrySet()) {
                long truth = id.getValue()[f];
                long counted = actual.counted()
                        .getOrDefault(id.getKey(), List.of(0L, 0L, 0L, 0L))
                        .get(f);
                if (bound == 0 ? counted != truth : counted > truth || counted + bound < truth) {
                    diffs.add(what + " " + FIGURES[f] + " of '" + id.getKey() + "' expected " + truth + " but counted "
                            + counted + " (error bound " + bound + ")");
                }
            }
        }
        for (String id : actual.counted().keySet()) {
            if (!expected.containsKey(id)) {
                diffs.add(what + " holds '" + id + "', which had no calls there");
            }
        }
    }

    private static void exact(List<String> diffs, String what, long expected, long actual) {
        if (expected != actual) {
            diffs.add(what + " expected " + expected + " but was " + actual);
        }
    }

    private static void nullValue(List<String> diffs, String what, Double actual) {
        if (actual != null) {
            diffs.add(what + " expected null but was " + actual);
        }
    }

    /** Within a relative tolerance of the expected value. */
    private static void close(List<String> diffs, String what, double expected, Double actual, double relative) {
        // Plus a hair for floating point: a sketch's answer may sit exactly on its 1 % bound (1.01 for 1).
        double bound = relative * Math.max(1e-9, Math.abs(expected)) + 1e-9 * Math.max(1, Math.abs(expected));
        if (actual == null || Math.abs(actual - expected) > bound) {
            diffs.add(
                    what + " expected " + expected + " (±" + relative * 100 + "%) but was " + Objects.toString(actual));
        }
    }
}
