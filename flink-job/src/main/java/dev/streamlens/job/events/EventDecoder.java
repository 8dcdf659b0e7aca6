package dev.streamlens.job.events;

import dev.streamlens.model.EventParser;
import dev.streamlens.model.FinishReasons;
import dev.streamlens.model.LlmRequest;
import dev.streamlens.model.LlmResponse;
import dev.streamlens.model.ParseResult;
import dev.streamlens.model.Topics;
import dev.streamlens.model.attribution.TagKeys;
import java.io.Serializable;
import java.time.Instant;

/**
 * Turns the bytes of a Kafka record into a {@link TelemetryEvent} with the shared validation
 * routine: a record that does not parse or validate becomes a rejected event carrying the reason
 * and its original bytes, never an exception — whatever wrote it (another producer, an older
 * version of the ingest service).
 */
public final class EventDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TagKeys tagKeys;

    private transient EventParser parser;

    /** A decoder for a job without declared tag keys. */
    public EventDecoder() {
        this(TagKeys.NONE);
    }

    /** @param tagKeys the tag keys each tenant declared: their values are read from each request's metadata */
    public EventDecoder(TagKeys tagKeys) {
        this.tagKeys = tagKeys;
    }

    /**
     * @param writtenAt the record's timestamp (when it was written), or a negative value when it has
     *                  none: the future bound is measured from it, so a replay decides as the first
     *                  reading did, and the ingest service's 202 and the job always agree
     */
    public TelemetryEvent decode(String topic, byte[] key, byte[] value, long writtenAt) {
        TelemetryEvent event;
        try {
            event = parse(topic, key, value, writtenAt);
        } catch (RuntimeException e) {
            // Nothing a record holds may stop the job: whatever the parser missed is a dead letter too.
            event = TelemetryEvent.rejected(
                    topic,
                    key,
                    value == null ? new byte[0] : value,
                    writtenAt,
                    "body: could not be decoded (" + e + ")");
        }
        event.writtenAt = writtenAt < 0 ? Long.MIN_VALUE : writtenAt;
        return event;
    }

    private TelemetryEvent parse(String topic, byte[] key, byte[] value, long writtenAt) {
        if (value == null) {
            return TelemetryEvent.rejected(topic, key, new byte[0], writtenAt, "body: record has no value");
        }
        // A record timestamp in the future (another producer's clock) must not widen the future bound.
        Instant receivedAt = Instant.ofEpochMilli(
                writtenAt < 0 ? System.currentTimeMillis() : Math.min(writtenAt, System.currentTimeMillis()));
        if (Topics.REQUESTS.equals(topic)) {
            ParseResult<LlmRequest> result = parser().parseRequest(value, receivedAt);
            if (!result.isValid()) {
                return TelemetryEvent.rejected(topic, key, value, writtenAt, result.describeErrors());
            }
            LlmRequest r = result.event();
            TelemetryEvent request = TelemetryEvent.request(
                    r.requestId(),
                    r.timestamp().toEpochMilli(),
                    r.tenantId(),
                    r.route(),
                    r.model(),
                    r.promptTokensOrZero());
            request.provider = r.provider();
            request.userId = r.userIdHash();
            request.sessionId = r.sessionId();
            request.tags = tagKeys.tagsOf(r.tenantId(), r.metadata());
            return request;
        }
        ParseResult<LlmResponse> result = parser().parseResponse(value, receivedAt);
        if (!result.isValid()) {
            return TelemetryEvent.rejected(topic, key, value, writtenAt, result.describeErrors());
        }
        LlmResponse r = result.event();
        TelemetryEvent response = TelemetryEvent.response(
                r.requestId(),
                r.timestamp().toEpochMilli(),
                r.latencyMs() == null ? Double.NaN : r.latencyMs(),
                r.completionTokensOrZero(),
                r.isFailure(),
                r.tenantId());
        response.cachedPromptTokens = r.cachedPromptTokensOrZero();
        response.cacheWriteTokens = r.cacheWriteTokensOrZero();
        response.reasoningTokens = r.reasoningTokensOrZero();
        response.truncated = FinishReasons.stoppedAtTokenLimit(r.finishReason());
        response.timeToFirstTokenMs = r.timeToFirstTokenMs() == null ? Double.NaN : r.timeToFirstTokenMs();
        return response;
    }

    private EventParser parser() {
        if (parser == null) {
            parser = new EventParser();
        }
        return parser;
    }
}
