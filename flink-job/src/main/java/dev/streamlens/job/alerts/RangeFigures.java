package dev.streamlens.job.alerts;

import dev.streamlens.model.AlertRule;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.attribution.Contributors;
import java.math.BigDecimal;
import java.util.List;

/**
 * The figures of a rule's scope over a range of windows [from, to): sums of the windows' counts and
 * costs, and (for latency rules) their sketches merged — percentiles are never averaged.
 */
final class RangeFigures {

    long requests;
    long errors;
    long timeouts;
    long unpricedRequests;
    BigDecimal costUsd = BigDecimal.ZERO;
    final LatencySketch latencies = LatencySketch.create();
    /** The end users of the range, for user_spend rules only (else empty). */
    final Contributors users = Contributors.forRow();

    private RangeFigures() {}

    /**
     * @param onlyModel the one model counted (unpriced_model alerts are per model), or null
     */
    static RangeFigures of(List<SeriesWindow> windows, AlertRule rule, long from, long to, String onlyModel) {
        RangeFigures figures = new RangeFigures();
        boolean sketches = rule.kindOf() == AlertRule.Kind.LATENCY;
        boolean users = rule.kindOf() == AlertRule.Kind.USER_SPEND;
        for (SeriesWindow w : windows) {
            if (w.windowStart < from
                    || w.windowStart >= to
                    || !rule.covers(w.route, w.model)
                    || (onlyModel != null && !onlyModel.equals(w.model))) {
                continue;
            }
            figures.requests += w.requests;
            figures.errors += w.errors;
            figures.timeouts += w.timeouts;
            figures.unpricedRequests += w.unpricedRequests;
            figures.costUsd = figures.costUsd.add(w.costUsd);
            if (sketches && w.latencySketch != null) {
                figures.latencies.merge(LatencySketch.decode(w.latencySketch));
            }
            if (users && w.topUsers != null) {
                figures.users.merge(Contributors.decode(w.topUsers));
            }
        }
        return figures;
    }

    /** What one end user's calls of the range cost for certain, in USD (0 when the summaries do not hold it). */
    BigDecimal userCostUsd(String user) {
        return BigDecimal.valueOf(users.of(user).counted(Contributors.Figure.COST_NANO_USD), 9);
    }
}
