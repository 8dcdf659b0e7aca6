package dev.streamlens.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;

/**
 * Combines window rows into one row covering a longer span: counts, tokens and cost summed,
 * averages recomputed from the sums, percentiles from the merged sketches — never averages of
 * averages or of percentiles.
 */
public final class MetricsRollup {

    private MetricsRollup() {
    }

    public static MetricsRow combine(String tenant, String route, String model, Instant start, Instant end,
                                     Collection<MetricsRow> rows, int revision, String jobRun) {
        long requests = 0;
        long errors = 0;
        long timeouts = 0;
        long prompt = 0;
        long completion = 0;
        long unpriced = 0;
        double latencySum = 0;
        BigDecimal cost = BigDecimal.ZERO;
        LatencySketch latencies = LatencySketch.create();
        for (MetricsRow r : rows) {
            requests += r.requests();
            errors += r.errors();
            timeouts += r.timeouts();
            prompt += r.totalPromptTokens();
            completion += r.totalCompletionTokens();
            unpriced += r.unpricedRequests();
            latencySum += r.latencySumMs();
            cost = cost.add(r.estimatedCostUsd());
            if (r.latencySketch() != null) {
                latencies.merge(LatencySketch.decode(r.latencySketch()));
            }
        }
        return new MetricsRow(tenant, route, model, start, end, requests, errors, timeouts,
                requests == 0 ? null : latencySum / requests,
                latencies.quantile(0.50), latencies.quantile(0.95), latencies.quantile(0.99),
                requests == 0 ? null : (double) prompt / requests,
                requests == 0 ? null : (double) completion / requests,
                prompt, completion, latencySum, cost, unpriced,
                latencies.isEmpty() ? null : latencies.encode(), revision, jobRun);
    }
}
