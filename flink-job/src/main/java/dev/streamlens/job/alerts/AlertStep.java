package dev.streamlens.job.alerts;

import dev.streamlens.job.time.ControlInputTime;
import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.MetricsRow;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Adds the alert rules' evaluation to the pipeline: window rows in, alert transitions out (docs/ALERTS.md). */
public final class AlertStep {

    private AlertStep() {}

    /**
     * Rules carry no event time. Their stream's watermark is the end of time from the start, so the
     * evaluator's watermark is the window rows' alone: a rules topic that is quiet (the usual case)
     * must not hold every alert back.
     */
    public static WatermarkStrategy<AlertRuleChange> rulesTime() {
        return ControlInputTime.neverHoldsBack();
    }

    public static DataStream<AlertTransition> build(
            DataStream<MetricsRow> rows, DataStream<AlertRuleChange> rules, Duration window) {
        return build(rows, rules, window, OpenAlerts.NONE);
    }

    /** @param openAlerts where a start without state finds the episodes earlier runs left firing */
    public static DataStream<AlertTransition> build(
            DataStream<MetricsRow> rows, DataStream<AlertRuleChange> rules, Duration window, OpenAlerts openAlerts) {
        return rows.keyBy(MetricsRow::tenantId)
                .connect(rules.broadcast(AlertEvaluator.RULES))
                .process(new AlertEvaluator(window.toMillis(), openAlerts))
                .uid("alert-rules-evaluation")
                .name("alert rules");
    }
}
