package dev.streamlens.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The one validation routine for telemetry events, used by the ingest service (to answer 4xx)
 * and by the Flink job (to dead-letter). It reads the JSON tree itself rather than binding it, so
 * that a wrong type is reported against its field, and it reports every violation at once.
 * Unknown fields are ignored. Thread-safe.
 */
public final class EventParser {

    private final ObjectMapper mapper;
    private final ValidationLimits limits;
    private final Clock clock;

    public EventParser() {
        this(ValidationLimits.DEFAULTS, Clock.systemUTC());
    }

    public EventParser(ValidationLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.mapper = EventJson.newMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    public ParseResult<LlmRequest> parseRequest(byte[] json) {
        return parseRequest(json, clock.instant());
    }

    /**
     * Validates a request as if received at {@code receivedAt}, the instant the future bound is
     * measured from (the job passes the Kafka record's timestamp, so a replay decides as the
     * first reading did).
     */
    public ParseResult<LlmRequest> parseRequest(byte[] json, Instant receivedAt) {
        ParseResult<JsonNode> tree = readObject(json);
        return tree.isValid()
                ? parseRequest(tree.event(), json.length, receivedAt)
                : ParseResult.invalid(tree.errors());
    }

    public ParseResult<LlmResponse> parseResponse(byte[] json) {
        return parseResponse(json, clock.instant());
    }

    /** Validates a response as if received at {@code receivedAt} (see {@link #parseRequest(byte[], Instant)}). */
    public ParseResult<LlmResponse> parseResponse(byte[] json, Instant receivedAt) {
        ParseResult<JsonNode> tree = readObject(json);
        return tree.isValid()
                ? parseResponse(tree.event(), json.length, receivedAt)
                : ParseResult.invalid(tree.errors());
    }

    /** Validates a request event already read as a JSON tree (e.g. one item of a batch). */
    public ParseResult<LlmRequest> parseRequest(JsonNode node) {
        return parseRequest(node, -1, clock.instant());
    }

    private ParseResult<LlmRequest> parseRequest(JsonNode node, int documentBytes, Instant receivedAt) {
        if (!node.isObject()) {
            return ParseResult.invalid(List.of(new FieldError("body", "must be a JSON object")));
        }
        FieldReader in = new FieldReader(node, documentBytes, limits, receivedAt);
        LlmRequest request = new LlmRequest(
                in.requiredIdentifier("request_id"),
                in.requiredIdentifier("tenant_id"),
                in.requiredIdentifier("route"),
                in.requiredIdentifier("model"),
                in.optionalIdentifier("provider"),
                in.requiredTimestamp("timestamp"),
                in.optionalCount("prompt_tokens"),
                in.optionalIdentifier("user_id_hash"),
                in.optionalIdentifier("session_id"),
                in.optionalMetadata("metadata"));
        return in.errors().isEmpty() ? ParseResult.valid(request) : ParseResult.invalid(in.errors());
    }

    /** Validates a response event already read as a JSON tree (e.g. one item of a batch). */
    public ParseResult<LlmResponse> parseResponse(JsonNode node) {
        return parseResponse(node, -1, clock.instant());
    }

    private ParseResult<LlmResponse> parseResponse(JsonNode node, int documentBytes, Instant receivedAt) {
        if (!node.isObject()) {
            return ParseResult.invalid(List.of(new FieldError("body", "must be a JSON object")));
        }
        FieldReader in = new FieldReader(node, documentBytes, limits, receivedAt);
        LlmResponse response = new LlmResponse(
                in.requiredIdentifier("request_id"),
                in.requiredTimestamp("timestamp"),
                in.optionalDuration("latency_ms"),
                in.optionalCount("completion_tokens"),
                in.optionalIdentifier("finish_reason"),
                in.optionalText("error", limits.maxErrorLength()),
                in.optionalDuration("time_to_first_token_ms"),
                in.optionalIdentifier("tenant_id"),
                in.optionalCount("cached_prompt_tokens"),
                in.optionalCount("cache_write_tokens"),
                in.optionalCount("reasoning_tokens"));
        // Rules between fields only once both fields are valid: a broken field is reported once, as itself.
        if (response.reasoningTokens() != null
                && !in.hasError("completion_tokens")
                && response.reasoningTokens() > response.completionTokensOrZero()) {
            in.reject("reasoning_tokens", "must not exceed completion_tokens (reasoning tokens are part of them)");
        }
        if (response.timeToFirstTokenMs() != null
                && response.latencyMs() != null
                && response.timeToFirstTokenMs() > response.latencyMs()) {
            in.reject("time_to_first_token_ms", "must not exceed latency_ms");
        }
        return in.errors().isEmpty() ? ParseResult.valid(response) : ParseResult.invalid(in.errors());
    }

    /**
     * Reads bytes as a JSON tree under the parser's nesting and size constraints; a malformed
     * document becomes a {@code body} error instead of an exception.
     */
    public ParseResult<JsonNode> readTree(byte[] json) {
        try {
            JsonNode node = mapper.readTree(json);
            if (node == null || node.isMissingNode()) {
                return ParseResult.invalid(List.of(new FieldError("body", "is empty")));
            }
            return ParseResult.valid(node);
        } catch (JsonProcessingException e) {
            return ParseResult.invalid(List.of(new FieldError("body", "malformed JSON: " + e.getOriginalMessage())));
        } catch (IOException e) {
            return ParseResult.invalid(List.of(new FieldError("body", "unreadable: " + e.getMessage())));
        }
    }

    private ParseResult<JsonNode> readObject(byte[] json) {
        ParseResult<JsonNode> tree = readTree(json);
        if (tree.isValid() && !tree.event().isObject()) {
            return ParseResult.invalid(List.of(new FieldError("body", "must be a JSON object")));
        }
        return tree;
    }
}
