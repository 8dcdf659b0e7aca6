package dev.streamlens.model;

import java.util.List;
import java.util.Map;

/** Names of StreamLens' Kafka topics, shared by the ingest service, the job and the embedded broker. */
public final class Topics {

    /** Request events, keyed by request_id. */
    public static final String REQUESTS = "llm.requests";
    /** Response events, keyed by request_id. */
    public static final String RESPONSES = "llm.responses";
    /** Window rows (every revision), keyed by tenant|route|model, written transactionally. */
    public static final String METRICS = "llm.metrics";
    /** Records the job cannot parse or place, with the reason in a header. */
    public static final String DEAD_LETTER = "llm.dead-letter";
    /** Events later than the allowed lateness of their window. */
    public static final String LATE_EVENTS = "llm.late-events";

    /** Alert rules (docs/ALERTS.md), keyed by rule_id, compacted: the newest value of each rule, null deletes it. */
    public static final String ALERT_RULES = "llm.alert-rules";
    /** Alert transitions (firing, resolved), keyed by alert_id, written transactionally. */
    public static final String ALERTS = "llm.alerts";

    /** Every topic the pipeline needs, in creation order. */
    public static final List<String> ALL = List.of(REQUESTS, RESPONSES, METRICS, DEAD_LETTER, LATE_EVENTS, ALERT_RULES,
            ALERTS);

    /**
     * Topic settings beyond the defaults. The event topics take the broker's append time as record
     * timestamp: the job reads "when was this written" from it, to keep one client's fast clock
     * from moving time for everyone, and no producer's clock can fake it.
     */
    public static Map<String, String> config(String topic) {
        if (REQUESTS.equals(topic) || RESPONSES.equals(topic)) {
            return Map.of("message.timestamp.type", "LogAppendTime");
        }
        if (ALERT_RULES.equals(topic)) {
            return Map.of("cleanup.policy", "compact"); // the rules themselves, kept for as long as they exist
        }
        return Map.of();
    }

    private Topics() {
    }
}
