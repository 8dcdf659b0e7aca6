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

    /** Price versions (docs/PRICING.md), keyed by version number, compacted: every version ever published. */
    public static final String PRICES = "llm.prices";

    /** Every topic the pipeline needs, in creation order. */
    public static final List<String> ALL =
            List.of(REQUESTS, RESPONSES, METRICS, DEAD_LETTER, LATE_EVENTS, ALERT_RULES, ALERTS, PRICES);

    /** How long each topic keeps its records; the reasons are in docs/RETENTION.md#kafka-topics. */
    public static final long EVENTS_RETENTION_MS = java.time.Duration.ofDays(7).toMillis();

    public static final long INSPECTION_RETENTION_MS =
            java.time.Duration.ofDays(30).toMillis();

    /**
     * Topic settings beyond the broker's defaults, retention always explicit (docker-compose.yml
     * creates the same; ComposeFileIT compares). The event topics take the broker's append time as
     * record timestamp: the job reads "when was this written" from it, to keep one client's fast
     * clock from moving time for everyone, and no producer's clock can fake it.
     */
    public static Map<String, String> config(String topic) {
        String events = Long.toString(EVENTS_RETENTION_MS);
        String inspection = Long.toString(INSPECTION_RETENTION_MS);
        return switch (topic) {
            // The job restores from these (and a recompute reads them): the longest outage to survive.
            case REQUESTS, RESPONSES -> Map.of("message.timestamp.type", "LogAppendTime", "retention.ms", events);
            // Every revision of every window; PostgreSQL holds the truth. Not compacted: the key is the
            // series, so compaction would keep only each series' newest window.
            case METRICS, ALERTS -> Map.of("retention.ms", events);
            // Records a person looks at: the rejected and the late.
            case DEAD_LETTER, LATE_EVENTS -> Map.of("retention.ms", inspection);
            // The rules themselves, kept as long as they exist; a deletion's tombstone as long as a job
            // restoring from an older checkpoint may still need to read it.
            case ALERT_RULES -> Map.of("cleanup.policy", "compact", "delete.retention.ms", events);
            // Every price version, for as long as the windows priced by it may be recomputed: each key
            // is written once, so compaction removes nothing and nothing expires.
            case PRICES -> Map.of("cleanup.policy", "compact");
            default -> Map.of();
        };
    }

    private Topics() {}
}
