package dev.streamlens.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The event an application posts when an LLM call ends ({@code POST /v1/llm/response}).
 * Build instances from JSON with {@link EventParser}, which validates them.
 *
 * @param latencyMs          null when not sent: the job then uses the time between the two events
 * @param error              null or a string; a non-empty string marks the call as failed
 * @param timeToFirstTokenMs streamed calls: when the first token arrived, at most the latency
 * @param cachedPromptTokens prompt tokens read from the provider's prompt cache: part of
 *                           {@code prompt_tokens} (as in the OpenTelemetry GenAI conventions)
 * @param cacheWriteTokens   prompt tokens written to the prompt cache: part of {@code prompt_tokens}
 * @param reasoningTokens    completion tokens spent on reasoning: part of {@code completion_tokens}
 * @param tenantId           absent in the original service's payloads (docs/EVENTS.md); set by the ingest service to the
 *                           authenticated tenant when API keys are on, so a response can only be
 *                           joined to a request of the same tenant
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LlmResponse(
        @JsonProperty("request_id") String requestId,
        @JsonProperty("timestamp") Instant timestamp,
        @JsonProperty("latency_ms") Double latencyMs,
        @JsonProperty("completion_tokens") Long completionTokens,
        @JsonProperty("finish_reason") String finishReason,
        @JsonProperty("error") String error,
        @JsonProperty("time_to_first_token_ms") Double timeToFirstTokenMs,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("cached_prompt_tokens") Long cachedPromptTokens,
        @JsonProperty("cache_write_tokens") Long cacheWriteTokens,
        @JsonProperty("reasoning_tokens") Long reasoningTokens) {

    /** True when the call failed, i.e. {@code error} is a non-empty string. */
    @JsonIgnore
    public boolean isFailure() {
        return error != null && !error.isEmpty();
    }

    /** The same response recorded for a tenant (the ingest service stamps the caller's, with API keys on). */
    public LlmResponse withTenantId(String tenant) {
        return new LlmResponse(
                requestId,
                timestamp,
                latencyMs,
                completionTokens,
                finishReason,
                error,
                timeToFirstTokenMs,
                tenant,
                cachedPromptTokens,
                cacheWriteTokens,
                reasoningTokens);
    }

    /** Completion tokens with an absent value read as zero. */
    public long completionTokensOrZero() {
        return completionTokens == null ? 0L : completionTokens;
    }

    public long cachedPromptTokensOrZero() {
        return cachedPromptTokens == null ? 0L : cachedPromptTokens;
    }

    public long cacheWriteTokensOrZero() {
        return cacheWriteTokens == null ? 0L : cacheWriteTokens;
    }

    public long reasoningTokensOrZero() {
        return reasoningTokens == null ? 0L : reasoningTokens;
    }
}
