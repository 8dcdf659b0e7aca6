package dev.streamlens.job.events;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A request or response event as the job carries it: the fields the metrics need, flat, written
 * by {@link TelemetryEventSerializer} (only the fields an event carries; never Kryo). Records that
 * failed validation travel as {@link Kind#REJECTED} with their original bytes until they are split
 * off to the dead letter; {@link Kind#CLOCK_TICK}s (see {@code ClockTicks}) only move the
 * watermark and are dropped there too.
 */
@TypeInfo(TelemetryEventTypeInfo.Factory.class)
public class TelemetryEvent {

    public enum Kind {
        REQUEST,
        RESPONSE,
        REJECTED,
        CLOCK_TICK
    }

    public Kind kind;
    public String requestId;
    /** Event time, epoch milliseconds (a tick's: when it was written). */
    public long timestamp;
    /**
     * When the record was written to Kafka (its record timestamp; Long.MIN_VALUE when it has none).
     * Only the source's watermark generator reads it; being transient, it is never serialized.
     */
    public transient long writtenAt = Long.MIN_VALUE;

    // Requests: the series, and the prompt size. Responses: tenantId only when set by the ingest service.
    public String tenantId;
    public String route;
    public String model;
    /** Who served the call, as the request named it (null: not named); narrows the price catalog's match. */
    public String provider;
    /** The application's end user and the session (conversation, agent run), as the request named them. */
    public String userId;

    public String sessionId;
    /**
     * Requests: the values of the tenant's declared tag keys, as ids {@code key=value}
     * ({@link dev.streamlens.model.attribution.TagKeys#tagsOf}); null when it declared none.
     */
    public String[] tags;

    public long promptTokens;

    // Responses.
    /** NaN when the client did not send it: the join then uses response - request time. */
    public double latencyMs = Double.NaN;

    public long completionTokens;
    public boolean failed;
    /** Parts of the request's prompt tokens: read from, and written to, the prompt cache. */
    public long cachedPromptTokens;

    public long cacheWriteTokens;
    /** Part of the completion tokens. */
    public long reasoningTokens;
    /** NaN when the call was not streamed. */
    public double timeToFirstTokenMs = Double.NaN;
    /** The response's finish reason says its output stopped at the token limit (FinishReasons). */
    public boolean truncated;

    // Rejected records.
    public String sourceTopic;
    public byte[] key;
    public byte[] raw;
    public String reason;

    public TelemetryEvent() {}

    public static TelemetryEvent request(
            String requestId, long timestamp, String tenantId, String route, String model, long promptTokens) {
        TelemetryEvent e = new TelemetryEvent();
        e.kind = Kind.REQUEST;
        e.requestId = requestId;
        e.timestamp = timestamp;
        e.tenantId = tenantId;
        e.route = route;
        e.model = model;
        e.promptTokens = promptTokens;
        return e;
    }

    public static TelemetryEvent response(
            String requestId,
            long timestamp,
            double latencyMs,
            long completionTokens,
            boolean failed,
            String tenantId) {
        TelemetryEvent e = new TelemetryEvent();
        e.kind = Kind.RESPONSE;
        e.requestId = requestId;
        e.timestamp = timestamp;
        e.latencyMs = latencyMs;
        e.completionTokens = completionTokens;
        e.failed = failed;
        e.tenantId = tenantId;
        return e;
    }

    public static TelemetryEvent rejected(String sourceTopic, byte[] key, byte[] raw, long timestamp, String reason) {
        TelemetryEvent e = new TelemetryEvent();
        e.kind = Kind.REJECTED;
        e.sourceTopic = sourceTopic;
        e.key = key;
        e.raw = raw;
        e.timestamp = timestamp;
        e.reason = reason;
        return e;
    }

    public static TelemetryEvent clockTick(long writtenAt) {
        TelemetryEvent e = new TelemetryEvent();
        e.kind = Kind.CLOCK_TICK;
        e.timestamp = writtenAt;
        e.writtenAt = writtenAt;
        return e;
    }

    public boolean isRejected() {
        return kind == Kind.REJECTED;
    }

    public boolean isClockTick() {
        return kind == Kind.CLOCK_TICK;
    }

    @Override
    public String toString() {
        return kind + "(" + requestId + " @" + timestamp + (reason == null ? "" : " " + reason) + ")";
    }
}
