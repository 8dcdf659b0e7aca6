package dev.streamlens.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One window of metrics for a (tenant, route, model): a row of {@code llm_metrics} and the value
 * of a record on the {@code llm.metrics} topic. Every revision carries the full values of its
 * window, so a later revision replaces an earlier one.
 *
 * @param requests          joined request/response pairs whose response lies in the window
 * @param timeouts          requests without a response whose deadline lies in the window
 * @param avgLatencyMs      null when the window holds no joined pair (only timeouts)
 * @param latencySumMs      sum of latencies, so coarser rollups recompute the mean exactly
 * @param estimatedCostUsd  exact decimal sum of the pairs' costs
 * @param unpricedRequests  pairs whose model is not in the price table (they cost 0)
 * @param latencySketch     encoded DDSketch of the latencies (base64 in JSON), mergeable
 * @param revision          1 for the first firing of the window, +1 for each late update
 * @param jobRun            the job run that computed it (the id of the job that started without
 *                          state; restores keep it), or null when unknown
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MetricsRow(
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("route") String route,
        @JsonProperty("model") String model,
        @JsonProperty("window_start") Instant windowStart,
        @JsonProperty("window_end") Instant windowEnd,
        @JsonProperty("requests") long requests,
        @JsonProperty("errors") long errors,
        @JsonProperty("timeouts") long timeouts,
        @JsonProperty("avg_latency_ms") Double avgLatencyMs,
        @JsonProperty("p50_latency_ms") Double p50LatencyMs,
        @JsonProperty("p95_latency_ms") Double p95LatencyMs,
        @JsonProperty("p99_latency_ms") Double p99LatencyMs,
        @JsonProperty("avg_prompt_tokens") Double avgPromptTokens,
        @JsonProperty("avg_completion_tokens") Double avgCompletionTokens,
        @JsonProperty("total_prompt_tokens") long totalPromptTokens,
        @JsonProperty("total_completion_tokens") long totalCompletionTokens,
        @JsonProperty("latency_sum_ms") double latencySumMs,
        @JsonProperty("estimated_cost_usd") BigDecimal estimatedCostUsd,
        @JsonProperty("unpriced_requests") long unpricedRequests,
        @JsonProperty("latency_sketch") byte[] latencySketch,
        @JsonProperty("revision") int revision,
        @JsonProperty("job_run") String jobRun) {

    /** The Kafka key of this row on {@code llm.metrics}: {@code tenant|route|model}. */
    public String seriesKey() {
        return tenantId + "|" + route + "|" + model;
    }
}
