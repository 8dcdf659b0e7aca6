package dev.streamlens.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An alert rule (docs/ALERTS.md): a condition on one tenant's calls, optionally narrowed to a route
 * and/or a model, evaluated by the job each time a window closes over the last
 * {@code window_minutes}. It fires once the condition has held for {@code for_seconds} and resolves
 * once it has been clear for {@code resolve_after_seconds}. The value of a record on
 * {@code llm.alert-rules}, keyed by {@code rule_id}; a null value deletes the rule.
 *
 * @param threshold error_rate: percent (0, 100]; latency: milliseconds; timeouts: count;
 *                  spend: USD; traffic_stopped: the fewest requests that count as traffic;
 *                  unpriced_model: unused
 * @param percentile latency only: 50, 95 or 99
 * @param minRequests error_rate only: fewer requests in the range never fire (no alert on 1 of 2)
 * @param version   raised by the service on every change, carried by the alerts it causes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertRule(
        @JsonProperty("rule_id") String ruleId,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("route") String route,
        @JsonProperty("model") String model,
        @JsonProperty("kind") String kind,
        @JsonProperty("threshold") Double threshold,
        @JsonProperty("percentile") Integer percentile,
        @JsonProperty("window_minutes") Integer windowMinutes,
        @JsonProperty("min_requests") Long minRequests,
        @JsonProperty("for_seconds") Long forSeconds,
        @JsonProperty("resolve_after_seconds") Long resolveAfterSeconds,
        @JsonProperty("webhook_url") String webhookUrl,
        @JsonProperty("webhook_format") String webhookFormat,
        @JsonProperty("enabled") Boolean enabled,
        @JsonProperty("version") Long version) {

    /** What a rule watches. */
    public enum Kind {
        ERROR_RATE("error_rate"),
        LATENCY("latency"),
        TIMEOUTS("timeouts"),
        SPEND("spend"),
        TRAFFIC_STOPPED("traffic_stopped"),
        UNPRICED_MODEL("unpriced_model"),
        /** One end user's cost over the range (docs/ATTRIBUTION.md): one alert per user above the threshold. */
        USER_SPEND("user_spend");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Kind of(String wireName) {
            for (Kind kind : values()) {
                if (kind.wireName.equals(wireName)) {
                    return kind;
                }
            }
            return null;
        }
    }

    public static final int MAX_WINDOW_MINUTES = 1440;
    public static final long MAX_DURATION_SECONDS = 86_400;
    private static final Pattern RULE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @JsonIgnore
    public Kind kindOf() {
        return Kind.of(kind);
    }

    @JsonIgnore
    public boolean enabledOrDefault() {
        return enabled == null || enabled;
    }

    /** The range a rule looks back over, with its default: 60 min for spend, else 5 min. */
    @JsonIgnore
    public int lookbackMinutes() {
        return windowMinutes != null ? windowMinutes : kindOf() == Kind.SPEND || kindOf() == Kind.USER_SPEND ? 60 : 5;
    }

    @JsonIgnore
    public int percentileOrDefault() {
        return percentile != null ? percentile : 95;
    }

    @JsonIgnore
    public long minRequestsOrDefault() {
        return minRequests != null ? minRequests : 1;
    }

    @JsonIgnore
    public long forMillis() {
        return (forSeconds != null ? forSeconds : 0) * 1000;
    }

    @JsonIgnore
    public long resolveAfterMillis() {
        return (resolveAfterSeconds != null ? resolveAfterSeconds : 0) * 1000;
    }

    /** The same rule under the id, tenant and version the service stores it with. */
    public AlertRule withIdentity(String id, String tenant, long newVersion) {
        return new AlertRule(
                id,
                tenant,
                route,
                model,
                kind,
                threshold,
                percentile,
                windowMinutes,
                minRequests,
                forSeconds,
                resolveAfterSeconds,
                webhookUrl,
                webhookFormat,
                enabled,
                newVersion);
    }

    /** Whether a series (route, model) is in the rule's scope. */
    public boolean covers(String seriesRoute, String seriesModel) {
        return (route == null || route.equals(seriesRoute)) && (model == null || model.equals(seriesModel));
    }

    /** Every rule a rule must follow, each violation naming its field; empty when valid. */
    public List<FieldError> problems() {
        List<FieldError> errors = new ArrayList<>();
        if (ruleId == null || !RULE_ID.matcher(ruleId).matches()) {
            errors.add(new FieldError("rule_id", "is required: 1 to 64 letters, digits, '.', '_' or '-'"));
        }
        name("tenant_id", tenantId, true, errors);
        name("route", route, false, errors);
        name("model", model, false, errors);
        Kind k = kindOf();
        if (k == null) {
            errors.add(new FieldError(
                    "kind",
                    "must be one of error_rate, latency, timeouts, spend, traffic_stopped, unpriced_model, "
                            + "user_spend"));
        } else {
            threshold(k, errors);
        }
        if (percentile != null && (k != Kind.LATENCY || !List.of(50, 95, 99).contains(percentile))) {
            errors.add(new FieldError(
                    "percentile", k == Kind.LATENCY ? "must be 50, 95 or 99" : "applies to latency rules only"));
        }
        if (windowMinutes != null && (windowMinutes < 1 || windowMinutes > MAX_WINDOW_MINUTES)) {
            errors.add(new FieldError("window_minutes", "must be between 1 and " + MAX_WINDOW_MINUTES));
        }
        if (minRequests != null && (minRequests < 1 || k != Kind.ERROR_RATE)) {
            errors.add(new FieldError(
                    "min_requests", k == Kind.ERROR_RATE ? "must be at least 1" : "applies to error_rate rules only"));
        }
        duration("for_seconds", forSeconds, errors);
        duration("resolve_after_seconds", resolveAfterSeconds, errors);
        if (webhookUrl != null && !(webhookUrl.startsWith("http://") || webhookUrl.startsWith("https://"))) {
            errors.add(new FieldError("webhook_url", "must be an http or https URL"));
        }
        if (webhookFormat != null && !List.of("json", "slack").contains(webhookFormat)) {
            errors.add(new FieldError("webhook_format", "must be json or slack"));
        }
        return errors;
    }

    private void threshold(Kind k, List<FieldError> errors) {
        if (k == Kind.UNPRICED_MODEL) {
            if (threshold != null) {
                errors.add(new FieldError("threshold", "does not apply to unpriced_model rules"));
            }
            return;
        }
        if (threshold == null || threshold.isNaN() || threshold.isInfinite()) {
            errors.add(new FieldError("threshold", "is required: a number"));
            return;
        }
        String problem = switch (k) {
            case ERROR_RATE -> threshold > 0 && threshold <= 100 ? null : "must be a percentage above 0, at most 100";
            case LATENCY, SPEND, USER_SPEND -> threshold > 0 ? null : "must be above 0";
            case TIMEOUTS, TRAFFIC_STOPPED ->
                threshold >= 1 && threshold == Math.rint(threshold) ? null : "must be a whole number, at least 1";
            default -> null;
        };
        if (problem != null) {
            errors.add(new FieldError("threshold", problem));
        }
    }

    private static void name(String field, String value, boolean required, List<FieldError> errors) {
        if (value == null) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return;
        }
        if (value.isBlank() || value.length() > 255 || value.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError(field, "must be 1 to 255 characters without control characters"));
        }
    }

    private static void duration(String field, Long seconds, List<FieldError> errors) {
        if (seconds != null && (seconds < 0 || seconds > MAX_DURATION_SECONDS)) {
            errors.add(new FieldError(field, "must be between 0 and " + MAX_DURATION_SECONDS + " seconds"));
        }
    }
}
