package dev.streamlens.job.alerts;

import dev.streamlens.model.AlertRule;
import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.attribution.Contributors;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Evaluates the alert rules (docs/ALERTS.md) as windows close, keyed by tenant. The window rows of a
 * tenant that has rules are kept for as long as its rules look back (a later revision replaces its
 * window); at the end of every window (an event-time timer, so time is the events' time) each rule
 * of the tenant is evaluated over its range and its alert steps through {@link AlertInstance}'s
 * states, emitting a transition only when it fires or resolves. Rules arrive as broadcast state
 * from {@code llm.alert-rules}: added, changed and deleted without a restart, and restored with the
 * job's state. Timers keep running while an alert is not OK and while a traffic_stopped rule
 * watches, so absence and resolving need no new rows.
 */
public class AlertEvaluator extends KeyedBroadcastProcessFunction<String, MetricsRow, AlertRuleChange, AlertTransition>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /** Every rule, by rule_id: the broadcast state. */
    public static final MapStateDescriptor<String, AlertRule> RULES =
            new MapStateDescriptor<>("alert-rules", String.class, AlertRule.class);

    static final MapStateDescriptor<String, AlertInstance> INSTANCES =
            new MapStateDescriptor<>("alert-instances", String.class, AlertInstance.class);

    private static final String MODEL_PART = "|model=";
    private static final String USER_PART = "|user=";
    private static final long MINUTE = 60_000;

    private final long windowMs;
    private final OpenAlerts openAlerts;
    private transient MapState<String, SeriesWindow> windows;
    private transient MapState<String, AlertInstance> instances;
    private transient ValueState<Long> lastEvaluated;
    private transient Counter fired;
    private transient Counter resolved;
    /**
     * The broadcast rules grouped by tenant, so a window row finds its tenant's rules without a scan
     * of every rule. Derived, never checkpointed: rebuilt from the broadcast state after a restore
     * and after every rule change (each parallel instance sees every change).
     */
    private transient Map<String, List<AlertRule>> rulesByTenant;
    /** Episodes an earlier run left firing, by tenant, until the tenant's first row takes them up. */
    private transient Map<String, List<OpenAlerts.Episode>> leftOpen;

    /** @param windowMs the job's window size: rules are evaluated at every window's end */
    public AlertEvaluator(long windowMs) {
        this(windowMs, OpenAlerts.NONE);
    }

    /** @param openAlerts where a start without state finds the episodes earlier runs left firing */
    public AlertEvaluator(long windowMs, OpenAlerts openAlerts) {
        this.windowMs = windowMs;
        this.openAlerts = openAlerts;
    }

    /**
     * A restored job has its alerts' episodes in its state. One started without state would start
     * every alert at OK: a firing episode of the earlier run would never resolve, and a condition
     * that still holds would fire (and page) a second time. It takes them up from the store instead.
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        leftOpen = context.isRestored() ? new HashMap<>() : new HashMap<>(openAlerts.read());
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // Nothing beyond the keyed and broadcast state.
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("alert-windows", String.class, SeriesWindow.class));
        instances = getRuntimeContext().getMapState(INSTANCES);
        lastEvaluated = getRuntimeContext().getState(new ValueStateDescriptor<>("alert-evaluated-until", Long.class));
        fired = getRuntimeContext().getMetricGroup().counter("streamlens_alerts_fired");
        resolved = getRuntimeContext().getMetricGroup().counter("streamlens_alerts_resolved");
    }

    @Override
    public void processElement(MetricsRow row, ReadOnlyContext ctx, Collector<AlertTransition> out) throws Exception {
        List<AlertRule> rules = rulesOf(row.tenantId(), ctx.getBroadcastState(RULES));
        if (rules.isEmpty()) {
            return; // a tenant without rules keeps no state; a new rule sees the windows from its arrival on
        }
        List<OpenAlerts.Episode> episodes = leftOpen.remove(row.tenantId());
        if (episodes != null) {
            takeUp(episodes, rules);
        }
        SeriesWindow window = SeriesWindow.of(row);
        windows.put(window.key(), window);
        ctx.timerService().registerEventTimeTimer(row.windowEnd().toEpochMilli() - 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertTransition> out) throws Exception {
        List<AlertRule> rules = rulesOf(ctx.getCurrentKey(), ctx.getBroadcastState(RULES));
        if (rules.isEmpty()) {
            windows.clear();
            instances.clear();
            lastEvaluated.clear();
            return;
        }
        // A late revision's timer lies behind the last evaluation: evaluate again at that time,
        // with the revised window, rather than step back in time.
        Long last = lastEvaluated.value();
        long at = Math.max(timestamp + 1, last == null ? Long.MIN_VALUE : last);
        lastEvaluated.update(at);

        List<SeriesWindow> kept = new ArrayList<>();
        windows.values().forEach(kept::add);
        boolean keepTicking = false;
        long lookback = 0;
        for (AlertRule rule : rules) {
            long range = rule.lookbackMinutes() * MINUTE;
            boolean absence = rule.kindOf() == AlertRule.Kind.TRAFFIC_STOPPED;
            lookback = Math.max(lookback, absence ? 2 * range : range);
            for (String subject : subjectsOf(rule, kept, at - range, at)) {
                keepTicking |= evaluate(rule, subject, kept, at, range, out);
            }
            keepTicking |= absence
                    && kept.stream().anyMatch(w -> w.windowStart >= at - 2 * range && rule.covers(w.route, w.model));
        }
        long oldest = at - lookback;
        for (SeriesWindow w : kept) {
            if (w.windowStart < oldest) {
                windows.remove(w.key());
            }
        }
        // The end of input (a bounded run, or a drain) brings the final watermark: a timer set now
        // would fire at once, and set the next, for ever.
        if (keepTicking && ctx.timerService().currentWatermark() < Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(at + windowMs - 1);
        }
    }

    /** Firing episodes of an earlier run, for rules that still exist, continue as this run's. */
    private void takeUp(List<OpenAlerts.Episode> episodes, List<AlertRule> rules) throws Exception {
        for (OpenAlerts.Episode episode : episodes) {
            boolean ruleExists = rules.stream().anyMatch(rule -> rule.ruleId().equals(episode.ruleId()));
            if (ruleExists && !instances.contains(episode.alertId())) {
                AlertInstance alert = new AlertInstance();
                alert.status = AlertInstance.Status.FIRING;
                alert.firedAt = episode.firedAt();
                alert.episodes = episode.episode();
                instances.put(episode.alertId(), alert);
            }
        }
    }

    /**
     * Steps one alert; returns whether it is not OK (it then needs the next evaluation even
     * without new rows).
     *
     * @param subject the model of an unpriced_model alert, the end user of a user_spend alert, else null
     */
    private boolean evaluate(
            AlertRule rule,
            String subject,
            List<SeriesWindow> kept,
            long at,
            long range,
            Collector<AlertTransition> out)
            throws Exception {
        boolean perUser = rule.kindOf() == AlertRule.Kind.USER_SPEND;
        String model = perUser ? null : subject;
        String alertId = subject == null ? rule.ruleId() : rule.ruleId() + (perUser ? USER_PART : MODEL_PART) + subject;
        AlertInstance alert = instances.get(alertId);
        if (alert == null) {
            alert = new AlertInstance();
        }
        RangeFigures current = RangeFigures.of(kept, rule, at - range, at, model);
        // Only absence compares with the range before; every other kind would walk the rows twice for nothing.
        RangeFigures previous = rule.kindOf() == AlertRule.Kind.TRAFFIC_STOPPED
                ? RangeFigures.of(kept, rule, at - 2 * range, at - range, model)
                : null;
        AlertCondition.Check check = AlertCondition.evaluate(
                rule, current, previous, alert.status != AlertInstance.Status.OK, perUser ? subject : null);
        String reason = perUser ? "end user " + subject : null;
        switch (alert.status) {
            case OK -> {
                if (check.holds()) {
                    alert.status = AlertInstance.Status.PENDING;
                    alert.since = at;
                }
            }
            case PENDING -> {
                if (!check.holds()) {
                    alert.status = AlertInstance.Status.OK;
                }
            }
            case FIRING -> {
                if (!check.holds()) {
                    alert.status = AlertInstance.Status.RESOLVING;
                    alert.since = at;
                }
            }
            case RESOLVING -> {
                if (check.holds()) {
                    alert.status = AlertInstance.Status.FIRING; // back within the resolve delay: no second firing
                }
            }
        }
        if (alert.status == AlertInstance.Status.PENDING && at - alert.since >= rule.forMillis()) {
            alert.status = AlertInstance.Status.FIRING;
            alert.firedAt = at;
            alert.episodes++;
            fired.inc();
            out.collect(
                    transition(rule, alertId, model, alert, AlertTransition.FIRING, at, range, current, check, reason));
        }
        if (alert.status == AlertInstance.Status.RESOLVING && at - alert.since >= rule.resolveAfterMillis()) {
            alert.status = AlertInstance.Status.OK;
            resolved.inc();
            out.collect(transition(
                    rule, alertId, model, alert, AlertTransition.RESOLVED, at, range, current, check, reason));
        }
        if (alert.status == AlertInstance.Status.OK && alert.episodes == 0) {
            instances.remove(alertId); // never fired: nothing worth keeping
            return false;
        }
        instances.put(alertId, alert); // a fired alert keeps its episode count
        return alert.status != AlertInstance.Status.OK;
    }

    /**
     * Alerts of a rule: one; or for unpriced_model one per model seen unpriced, for user_spend one
     * per end user whose cost reached the threshold (and, for both, those still open).
     */
    private Set<String> subjectsOf(AlertRule rule, List<SeriesWindow> kept, long from, long to) throws Exception {
        if (rule.kindOf() == AlertRule.Kind.USER_SPEND) {
            return usersOf(rule, kept, from, to);
        }
        Set<String> models = new LinkedHashSet<>();
        if (rule.kindOf() != AlertRule.Kind.UNPRICED_MODEL) {
            models.add(null);
            return models;
        }
        for (SeriesWindow w : kept) {
            if (w.unpricedRequests > 0
                    && w.windowStart >= from
                    && w.windowStart < to
                    && rule.covers(w.route, w.model)) {
                models.add(w.model);
            }
        }
        for (String alertId : instances.keys()) {
            if (alertId.startsWith(rule.ruleId() + MODEL_PART)) {
                models.add(alertId.substring(rule.ruleId().length() + MODEL_PART.length()));
            }
        }
        return models;
    }

    /**
     * The end users whose counted cost over the range reached the rule's threshold (calls without
     * a user are no one's), and those whose alert is still open.
     */
    private Set<String> usersOf(AlertRule rule, List<SeriesWindow> kept, long from, long to) throws Exception {
        Set<String> users = new LinkedHashSet<>();
        RangeFigures figures = RangeFigures.of(kept, rule, from, to, null);
        BigDecimal threshold = BigDecimal.valueOf(rule.threshold());
        for (Contributors.Contributor user :
                figures.users.heaviest(Contributors.Figure.COST_NANO_USD, Integer.MAX_VALUE)) {
            BigDecimal spent = BigDecimal.valueOf(user.counted(Contributors.Figure.COST_NANO_USD), 9);
            if (spent.compareTo(threshold) < 0) {
                break; // heaviest first: no later one reaches it
            }
            if (!user.id().equals(Contributors.NO_ID)) {
                users.add(user.id());
            }
        }
        for (String alertId : instances.keys()) {
            if (alertId.startsWith(rule.ruleId() + USER_PART)) {
                users.add(alertId.substring(rule.ruleId().length() + USER_PART.length()));
            }
        }
        return users;
    }

    @Override
    public void processBroadcastElement(AlertRuleChange change, Context ctx, Collector<AlertTransition> out)
            throws Exception {
        BroadcastState<String, AlertRule> rules = ctx.getBroadcastState(RULES);
        AlertRule before = rules.get(change.ruleId);
        AlertRule after = change.isDeletion() || !change.rule.enabledOrDefault() ? null : change.rule;
        boolean sameScope = before != null
                && after != null
                && before.tenantId().equals(after.tenantId())
                && before.kind().equals(after.kind())
                && java.util.Objects.equals(before.route(), after.route())
                && java.util.Objects.equals(before.model(), after.model());
        if (before != null && !sameScope) {
            // Deleted, disabled or now about something else: its open alerts resolve, once.
            long watermark = ctx.currentWatermark();
            ctx.applyToKeyedState(INSTANCES, (tenant, alerts) -> {
                List<String> ids = new ArrayList<>();
                for (Map.Entry<String, AlertInstance> entry : alerts.entries()) {
                    if (entry.getKey().equals(before.ruleId())
                            || entry.getKey().startsWith(before.ruleId() + MODEL_PART)) {
                        ids.add(entry.getKey());
                        if (entry.getValue().isActive()) {
                            String model = entry.getKey().equals(before.ruleId())
                                    ? null
                                    : entry.getKey().substring(before.ruleId().length() + MODEL_PART.length());
                            resolved.inc();
                            long now = Math.max(watermark, entry.getValue().firedAt);
                            out.collect(transition(
                                    before,
                                    entry.getKey(),
                                    model,
                                    entry.getValue(),
                                    AlertTransition.RESOLVED,
                                    now,
                                    before.lookbackMinutes() * MINUTE,
                                    null,
                                    null,
                                    after == null ? "rule deleted or disabled" : "rule changed"));
                        }
                    }
                }
                for (String id : ids) {
                    alerts.remove(id);
                }
            });
        }
        if (after == null) {
            rules.remove(change.ruleId);
        } else {
            rules.put(change.ruleId, after);
        }
        rulesByTenant = null;
    }

    private List<AlertRule> rulesOf(String tenant, ReadOnlyBroadcastState<String, AlertRule> all) throws Exception {
        if (rulesByTenant == null) {
            Map<String, List<AlertRule>> grouped = new HashMap<>();
            for (Map.Entry<String, AlertRule> entry : all.immutableEntries()) {
                grouped.computeIfAbsent(entry.getValue().tenantId(), t -> new ArrayList<>())
                        .add(entry.getValue());
            }
            rulesByTenant = grouped;
        }
        return rulesByTenant.getOrDefault(tenant, List.of());
    }

    private static AlertTransition transition(
            AlertRule rule,
            String alertId,
            String model,
            AlertInstance alert,
            String state,
            long at,
            long range,
            RangeFigures figures,
            AlertCondition.Check check,
            String reason) {
        Instant firedAt = Instant.ofEpochMilli(alert.firedAt);
        return new AlertTransition(
                alertId,
                rule.ruleId(),
                rule.version(),
                rule.tenantId(),
                rule.route(),
                model != null ? model : rule.model(),
                rule.kind(),
                state,
                alert.episodes,
                firedAt,
                AlertTransition.idempotencyKey(alertId, firedAt, state),
                Instant.ofEpochMilli(at - range),
                Instant.ofEpochMilli(at),
                check == null ? null : check.value(),
                rule.threshold(),
                figures == null ? 0 : figures.requests,
                figures == null ? 0 : figures.errors,
                figures == null ? 0 : figures.timeouts,
                figures == null ? null : figures.costUsd,
                reason);
    }
}
