package dev.streamlens.job.alerts;

import dev.streamlens.model.AlertRule;
import java.math.BigDecimal;

/** Whether a rule's condition holds over a range, and the figure it compared (docs/ALERTS.md). */
final class AlertCondition {

    /** The outcome: holds or not, and the value compared with the threshold (null: nothing to compare). */
    record Check(boolean holds, Double value) {}

    private AlertCondition() {}

    /**
     * @param previous the range just before {@code current}: traffic_stopped only (was there traffic?), else null
     * @param active   the alert is pending or firing: traffic_stopped then holds while traffic stays away
     * @param user     the end user a user_spend alert is about, else null
     */
    static Check evaluate(AlertRule rule, RangeFigures current, RangeFigures previous, boolean active, String user) {
        double threshold = rule.threshold() == null ? 1 : rule.threshold();
        return switch (rule.kindOf()) {
            case ERROR_RATE -> {
                Double rate = current.requests == 0 ? null : 100.0 * current.errors / current.requests;
                yield new Check(
                        rate != null && current.requests >= rule.minRequestsOrDefault() && rate >= threshold, rate);
            }
            case LATENCY -> {
                Double latency = current.latencies.quantile(rule.percentileOrDefault() / 100.0);
                yield new Check(latency != null && latency >= threshold, latency);
            }
            case TIMEOUTS -> new Check(current.timeouts >= threshold, (double) current.timeouts);
            case SPEND ->
                new Check(current.costUsd.compareTo(BigDecimal.valueOf(threshold)) >= 0, current.costUsd.doubleValue());
            case TRAFFIC_STOPPED ->
                new Check(current.requests < threshold && (active || previous.requests >= threshold), (double)
                        current.requests);
            case UNPRICED_MODEL -> new Check(current.unpricedRequests >= 1, (double) current.unpricedRequests);
            case USER_SPEND -> {
                BigDecimal spent = current.userCostUsd(user);
                yield new Check(spent.compareTo(BigDecimal.valueOf(threshold)) >= 0, spent.doubleValue());
            }
        };
    }
}
