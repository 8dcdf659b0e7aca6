package dev.streamlens.query.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.EventJson;
import java.util.Locale;
import java.util.Map;

/**
 * The body a webhook receives: the transition itself ({@code json}), or a Slack-compatible
 * {@code {"text": ...}} message ({@code slack}); both name the idempotency key.
 */
final class WebhookMessages {

    private static final ObjectMapper JSON = EventJson.mapper();

    private WebhookMessages() {}

    static String body(AlertTransition t, String format) {
        try {
            return "slack".equals(format)
                    ? JSON.writeValueAsString(Map.of("text", slackText(t)))
                    : JSON.writeValueAsString(t);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String slackText(AlertTransition t) {
        String scope = t.tenantId()
                + (t.route() != null ? " route " + t.route() : "")
                + (t.model() != null ? " model " + t.model() : "");
        String figure = t.value() == null
                ? ""
                : String.format(
                        Locale.ROOT,
                        ": %s %.4g%s",
                        t.kind(),
                        t.value(),
                        t.threshold() == null ? "" : String.format(Locale.ROOT, " (threshold %.4g)", t.threshold()));
        String why = t.reason() != null ? " (" + t.reason() + ")" : "";
        return String.format(
                Locale.ROOT,
                "[%s] %s on %s%s%s, window %s to %s; key %s",
                t.state().toUpperCase(Locale.ROOT),
                t.ruleId(),
                scope,
                figure,
                why,
                t.windowStart(),
                t.windowEnd(),
                t.idempotencyKey());
    }
}
