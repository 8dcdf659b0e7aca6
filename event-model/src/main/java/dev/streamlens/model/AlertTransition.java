package dev.streamlens.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * An alert firing or resolving (docs/ALERTS.md): the value of a record on {@code llm.alerts}. The
 * job emits each transition of an alert once; {@code idempotency_key} is the same wherever the
 * transition is delivered again (a webhook's retries, a replay after a restore).
 *
 * @param alertId      the rule, and for unpriced_model rules the model (one alert per model)
 * @param episode      1 for the alert's first firing, +1 for each later one (kept in the job's state)
 * @param firedAt      when this episode fired (event time): with the alert id, what identifies the
 *                     episode, also for a job that replays the same calls without its state
 * @param windowStart  start of the range the condition was evaluated on
 * @param windowEnd    end of that range: the end of the window whose closing evaluated it
 * @param value        the figure compared with the threshold (error rate in percent, latency in
 *                     ms, timeouts, USD, requests; unpriced calls for unpriced_model)
 * @param reason       why it resolved when not because the condition cleared ("rule deleted")
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertTransition(
        @JsonProperty("alert_id") String alertId,
        @JsonProperty("rule_id") String ruleId,
        @JsonProperty("rule_version") Long ruleVersion,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("route") String route,
        @JsonProperty("model") String model,
        @JsonProperty("kind") String kind,
        @JsonProperty("state") String state,
        @JsonProperty("episode") long episode,
        @JsonProperty("fired_at") Instant firedAt,
        @JsonProperty("idempotency_key") String idempotencyKey,
        @JsonProperty("window_start") Instant windowStart,
        @JsonProperty("window_end") Instant windowEnd,
        @JsonProperty("value") Double value,
        @JsonProperty("threshold") Double threshold,
        @JsonProperty("requests") long requests,
        @JsonProperty("errors") long errors,
        @JsonProperty("timeouts") long timeouts,
        @JsonProperty("cost_usd") BigDecimal costUsd,
        @JsonProperty("reason") String reason) {

    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    /** The same for a transition wherever and however often it is delivered. */
    public static String idempotencyKey(String alertId, Instant firedAt, String state) {
        return alertId + "/" + firedAt.toEpochMilli() + "/" + state;
    }
}
