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
 * @param timeToFirstTokenMs optional extra for streaming calls
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
        @JsonProperty("tenant_id") String tenantId) {

    /** True when the call failed, i.e. {@code error} is a non-empty string. */
    @JsonIgnore
    public boolean isFailure() {
        return error != null && !error.isEmpty();
    }

    /** The same response recorded for a tenant (the ingest service stamps the caller's, with API keys on). */
    public LlmResponse withTenantId(String tenant) {
        return new LlmResponse(requestId, timestamp, latencyMs, completionTokens, finishReason, error, timeToFirstTokenMs, tenant);
    }

    /** Completion tokens with an absent value read as zero. */
    public long completionTokensOrZero() {
        return completionTokens == null ? 0L : completionTokens;
    }
}
