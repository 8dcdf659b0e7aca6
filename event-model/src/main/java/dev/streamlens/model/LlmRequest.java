package dev.streamlens.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The event an application posts when an LLM call starts ({@code POST /v1/llm/request}).
 * Build instances from JSON with {@link EventParser}, which validates them.
 *
 * @param provider     optional: who served the call ({@code openai}, {@code aws.bedrock}, ...); narrows
 *                     the price catalog's match (docs/PRICING.md)
 * @param promptTokens null when the client did not send it (counted as 0 tokens)
 * @param userIdHash   optional: the application's end user (an id or a hash of one, stored as sent)
 * @param sessionId    optional: the conversation or agent run the call belongs to
 * @param metadata     optional JSON object, any JSON values, bounded by {@link ValidationLimits}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LlmRequest(
        @JsonProperty("request_id") String requestId,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("route") String route,
        @JsonProperty("model") String model,
        @JsonProperty("provider") String provider,
        @JsonProperty("timestamp") Instant timestamp,
        @JsonProperty("prompt_tokens") Long promptTokens,
        @JsonProperty("user_id_hash") String userIdHash,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("metadata") JsonNode metadata) {

    /** Prompt tokens with an absent value read as zero. */
    public long promptTokensOrZero() {
        return promptTokens == null ? 0L : promptTokens;
    }
}
