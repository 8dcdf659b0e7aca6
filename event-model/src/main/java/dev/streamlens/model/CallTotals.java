package dev.streamlens.model;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The additive totals of the calls of a span (a window, an hour, a query's bucket): counts,
 * latency sum, tokens, cost and the sketches of latencies and times to first token. The one place
 * a row's derived values are computed from them — averages from the sums, percentiles from the
 * sketches, output tokens per second from tokens and generation time — so the job's windows, its
 * hourly rows and the query service's rollups agree by construction, and nothing is ever an
 * average of averages or of percentiles.
 *
 * @param latencies the sketch of the joined calls' latencies; this object owns it (merging copies)
 * @param ttfts     the sketch of the streamed calls' times to first token, likewise
 */
public record CallTotals(long requests, long errors, long timeouts, double latencySumMs, long promptTokens,
                         long completionTokens, BigDecimal costUsd, long unpricedRequests, LatencySketch latencies,
                         long cachedPromptTokens, long cacheWriteTokens, long reasoningTokens, long streamedRequests,
                         double generationMsSum, LatencySketch ttfts) {

    /** No calls. */
    public static CallTotals none() {
        return new CallTotals(0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0, LatencySketch.create(), 0, 0, 0, 0, 0,
                LatencySketch.create());
    }

    /** The totals a stored row carries. */
    public static CallTotals of(MetricsRow row) {
        return new CallTotals(row.requests(), row.errors(), row.timeouts(), row.latencySumMs(),
                row.totalPromptTokens(), row.totalCompletionTokens(), row.estimatedCostUsd(), row.unpricedRequests(),
                sketch(row.latencySketch()), row.cachedPromptTokens(), row.cacheWriteTokens(), row.reasoningTokens(),
                row.streamedRequests(), row.generationMsSum(), sketch(row.ttftSketch()));
    }

    /** The totals of several rows: sums, and the merges of their sketches (one sketch each, merged into). */
    public static CallTotals sum(Iterable<MetricsRow> rows) {
        CallTotals total = none();
        for (MetricsRow r : rows) {
            total = total.plusInPlace(r);
        }
        return total;
    }

    public CallTotals plus(CallTotals other) {
        LatencySketch mergedLatencies = latencies.copy();
        mergedLatencies.merge(other.latencies);
        LatencySketch mergedTtfts = ttfts.copy();
        mergedTtfts.merge(other.ttfts);
        return add(other.requests, other.errors, other.timeouts, other.latencySumMs, other.promptTokens,
                other.completionTokens, other.costUsd, other.unpricedRequests, other.cachedPromptTokens,
                other.cacheWriteTokens, other.reasoningTokens, other.streamedRequests, other.generationMsSum,
                mergedLatencies, mergedTtfts);
    }

    /** Adds a row, merging its sketches into this object's own (no copy per row). */
    private CallTotals plusInPlace(MetricsRow r) {
        if (r.latencySketch() != null) {
            latencies.merge(LatencySketch.decode(r.latencySketch()));
        }
        if (r.ttftSketch() != null) {
            ttfts.merge(LatencySketch.decode(r.ttftSketch()));
        }
        return add(r.requests(), r.errors(), r.timeouts(), r.latencySumMs(), r.totalPromptTokens(),
                r.totalCompletionTokens(), r.estimatedCostUsd(), r.unpricedRequests(), r.cachedPromptTokens(),
                r.cacheWriteTokens(), r.reasoningTokens(), r.streamedRequests(), r.generationMsSum(), latencies, ttfts);
    }

    private CallTotals add(long requests, long errors, long timeouts, double latencySumMs, long promptTokens,
                           long completionTokens, BigDecimal costUsd, long unpricedRequests, long cachedPromptTokens,
                           long cacheWriteTokens, long reasoningTokens, long streamedRequests, double generationMsSum,
                           LatencySketch latencies, LatencySketch ttfts) {
        return new CallTotals(this.requests + requests, this.errors + errors, this.timeouts + timeouts,
                this.latencySumMs + latencySumMs, this.promptTokens + promptTokens,
                this.completionTokens + completionTokens, this.costUsd.add(costUsd),
                this.unpricedRequests + unpricedRequests, latencies, this.cachedPromptTokens + cachedPromptTokens,
                this.cacheWriteTokens + cacheWriteTokens, this.reasoningTokens + reasoningTokens,
                this.streamedRequests + streamedRequests, this.generationMsSum + generationMsSum, ttfts);
    }

    /** Null when no call was joined (a span of timeouts only). */
    public Double avgLatencyMs() {
        return requests == 0 ? null : latencySumMs / requests;
    }

    public Double avgPromptTokens() {
        return requests == 0 ? null : (double) promptTokens / requests;
    }

    public Double avgCompletionTokens() {
        return requests == 0 ? null : (double) completionTokens / requests;
    }

    /** The q-quantile of the latencies (relative accuracy of the sketch), null without latencies. */
    public Double latencyQuantile(double q) {
        return latencies.quantile(q);
    }

    /** The q-quantile of the streamed calls' times to first token, null without streamed calls. */
    public Double ttftQuantile(double q) {
        return ttfts.quantile(q);
    }

    /** Completion tokens per second of generation time; null when no time was spent generating. */
    public Double outputTokensPerSecond() {
        return generationMsSum <= 0 ? null : completionTokens * 1000.0 / generationMsSum;
    }

    /** The row of these totals for one series and span. */
    public MetricsRow toRow(String tenant, String route, String model, Instant start, Instant end, int revision,
                            String jobRun) {
        return new MetricsRow(tenant, route, model, start, end, requests, errors, timeouts, avgLatencyMs(),
                latencyQuantile(0.50), latencyQuantile(0.95), latencyQuantile(0.99),
                avgPromptTokens(), avgCompletionTokens(), promptTokens, completionTokens, latencySumMs, costUsd,
                unpricedRequests, latencies.isEmpty() ? null : latencies.encode(), revision, jobRun,
                cachedPromptTokens, cacheWriteTokens, reasoningTokens, streamedRequests,
                ttftQuantile(0.50), ttftQuantile(0.95), ttftQuantile(0.99), ttfts.isEmpty() ? null : ttfts.encode(),
                generationMsSum, outputTokensPerSecond());
    }

    private static LatencySketch sketch(byte[] encoded) {
        return encoded == null ? LatencySketch.create() : LatencySketch.decode(encoded);
    }
}
