package dev.streamlens.model;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The additive totals of the calls of a span (a window, an hour, a query's bucket): counts,
 * latency sum, tokens, cost and the latencies' sketch. The one place a row's derived values are
 * computed from them — averages from the sums, percentiles from the sketch — so the job's windows,
 * its hourly rows and the query service's rollups agree by construction, and nothing is ever an
 * average of averages or of percentiles.
 *
 * @param latencies the sketch of the joined calls' latencies; this object owns it (merging copies)
 */
public record CallTotals(long requests, long errors, long timeouts, double latencySumMs, long promptTokens,
                         long completionTokens, BigDecimal costUsd, long unpricedRequests, LatencySketch latencies) {

    /** No calls. */
    public static CallTotals none() {
        return new CallTotals(0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0, LatencySketch.create());
    }

    /** The totals a stored row carries. */
    public static CallTotals of(MetricsRow row) {
        return new CallTotals(row.requests(), row.errors(), row.timeouts(), row.latencySumMs(),
                row.totalPromptTokens(), row.totalCompletionTokens(), row.estimatedCostUsd(), row.unpricedRequests(),
                row.latencySketch() == null ? LatencySketch.create() : LatencySketch.decode(row.latencySketch()));
    }

    /** The totals of several rows: sums, and the merge of their sketches. */
    public static CallTotals sum(Iterable<MetricsRow> rows) {
        long requests = 0;
        long errors = 0;
        long timeouts = 0;
        double latencySum = 0;
        long prompt = 0;
        long completion = 0;
        BigDecimal cost = BigDecimal.ZERO;
        long unpriced = 0;
        LatencySketch latencies = LatencySketch.create(); // one sketch merged into: no copy per row
        for (MetricsRow r : rows) {
            requests += r.requests();
            errors += r.errors();
            timeouts += r.timeouts();
            latencySum += r.latencySumMs();
            prompt += r.totalPromptTokens();
            completion += r.totalCompletionTokens();
            cost = cost.add(r.estimatedCostUsd());
            unpriced += r.unpricedRequests();
            if (r.latencySketch() != null) {
                latencies.merge(LatencySketch.decode(r.latencySketch()));
            }
        }
        return new CallTotals(requests, errors, timeouts, latencySum, prompt, completion, cost, unpriced, latencies);
    }

    public CallTotals plus(CallTotals other) {
        LatencySketch merged = latencies.copy();
        merged.merge(other.latencies);
        return new CallTotals(requests + other.requests, errors + other.errors, timeouts + other.timeouts,
                latencySumMs + other.latencySumMs, promptTokens + other.promptTokens,
                completionTokens + other.completionTokens, costUsd.add(other.costUsd),
                unpricedRequests + other.unpricedRequests, merged);
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

    /** The row of these totals for one series and span. */
    public MetricsRow toRow(String tenant, String route, String model, Instant start, Instant end, int revision,
                            String jobRun) {
        return new MetricsRow(tenant, route, model, start, end, requests, errors, timeouts, avgLatencyMs(),
                latencyQuantile(0.50), latencyQuantile(0.95), latencyQuantile(0.99),
                avgPromptTokens(), avgCompletionTokens(), promptTokens, completionTokens, latencySumMs, costUsd,
                unpricedRequests, latencies.isEmpty() ? null : latencies.encode(), revision, jobRun);
    }
}
