package dev.streamlens.ingest;

import dev.streamlens.model.Topics;

/** The two kinds of telemetry event and the topic each goes to. */
public enum EventType {
    REQUEST("request", Topics.REQUESTS),
    RESPONSE("response", Topics.RESPONSES);

    private final String wireName;
    private final String topic;

    EventType(String wireName, String topic) {
        this.wireName = wireName;
        this.topic = topic;
    }

    public String wireName() {
        return wireName;
    }

    public String topic() {
        return topic;
    }

    /** The type named by a batch item's {@code "type"}, or null. */
    public static EventType fromWireName(String name) {
        for (EventType type : values()) {
            if (type.wireName.equals(name)) {
                return type;
            }
        }
        return null;
    }
}
