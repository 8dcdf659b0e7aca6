package dev.streamlens.job.alerts;

import dev.streamlens.model.AlertRule;

/** A record of {@code llm.alert-rules}: the rule as it is now, or its deletion (a tombstone). */
public class AlertRuleChange {

    public String ruleId;
    /** Null: the rule was deleted. */
    public AlertRule rule;

    public AlertRuleChange() {}

    public AlertRuleChange(String ruleId, AlertRule rule) {
        this.ruleId = ruleId;
        this.rule = rule;
    }

    public boolean isDeletion() {
        return rule == null;
    }
}
