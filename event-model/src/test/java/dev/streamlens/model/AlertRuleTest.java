package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What makes an alert rule valid: each violation names its field. */
class AlertRuleTest {

    private static AlertRule rule(String kind, Double threshold) {
        return new AlertRule(
                "r-1", "acme", null, null, kind, threshold, null, null, null, null, null, null, null, null, 1L);
    }

    @Test
    void everyKindWithASensibleThresholdIsValid() {
        assertThat(rule("error_rate", 5.0).problems()).isEmpty();
        assertThat(rule("latency", 2000.0).problems()).isEmpty();
        assertThat(rule("timeouts", 3.0).problems()).isEmpty();
        assertThat(rule("spend", 12.5).problems()).isEmpty();
        assertThat(rule("traffic_stopped", 10.0).problems()).isEmpty();
        assertThat(rule("unpriced_model", null).problems()).isEmpty();
        assertThat(rule("spend", 1.0).lookbackMinutes()).isEqualTo(60);
        assertThat(rule("latency", 1.0).lookbackMinutes()).isEqualTo(5);
    }

    @Test
    void eachProblemNamesItsField() {
        assertThat(rule("error_rate", 150.0).problems())
                .extracting(FieldError::field)
                .containsExactly("threshold");
        assertThat(rule("timeouts", 2.5).problems())
                .extracting(FieldError::field)
                .containsExactly("threshold");
        assertThat(rule("latency", null).problems())
                .extracting(FieldError::field)
                .containsExactly("threshold");
        assertThat(rule("unpriced_model", 1.0).problems())
                .extracting(FieldError::field)
                .containsExactly("threshold");
        assertThat(rule("sometimes", 1.0).problems())
                .extracting(FieldError::field)
                .containsExactly("kind");
        AlertRule bad = new AlertRule(
                "no spaces please",
                null,
                "",
                null,
                "error_rate",
                5.0,
                90,
                0,
                0L,
                -1L,
                90_000L,
                "file:///etc/passwd",
                "xml",
                null,
                1L);
        assertThat(bad.problems())
                .extracting(FieldError::field)
                .containsExactly(
                        "rule_id",
                        "tenant_id",
                        "route",
                        "percentile",
                        "window_minutes",
                        "min_requests",
                        "for_seconds",
                        "resolve_after_seconds",
                        "webhook_url",
                        "webhook_format");
    }

    @Test
    void aRuleCoversItsRouteAndModelOnly() {
        AlertRule scoped = new AlertRule(
                "r", "acme", "chat", null, "timeouts", 1.0, null, null, null, null, null, null, null, null, 1L);
        assertThat(scoped.covers("chat", "gpt-4o")).isTrue();
        assertThat(scoped.covers("search", "gpt-4o")).isFalse();
    }

    @Test
    void itRoundTripsThroughTheTopicsJson() throws Exception {
        AlertRule rule = new AlertRule(
                "r",
                "acme",
                "chat",
                "gpt-4o",
                "latency",
                900.0,
                99,
                10,
                null,
                60L,
                120L,
                "https://hooks.example.com/x",
                "slack",
                true,
                4L);
        String json = EventJson.mapper().writeValueAsString(rule);
        assertThat(json)
                .contains("\"rule_id\":\"r\"", "\"window_minutes\":10", "\"for_seconds\":60")
                .doesNotContain("lookback");
        assertThat(EventJson.mapper().readValue(json, AlertRule.class)).isEqualTo(rule);
    }
}
