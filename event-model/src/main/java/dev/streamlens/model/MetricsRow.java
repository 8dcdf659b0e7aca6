package dev.streamlens.model;

import static dev.streamlens.model.Rollup.Kind.BOOKKEEPING;
import static dev.streamlens.model.Rollup.Kind.DERIVED;
import static dev.streamlens.model.Rollup.Kind.HIGHEST;
import static dev.streamlens.model.Rollup.Kind.KEY;
import static dev.streamlens.model.Rollup.Kind.SKETCH;
import static dev.streamlens.model.Rollup.Kind.SPAN;
import static dev.streamlens.model.Rollup.Kind.SUM;
import static dev.streamlens.model.Rollup.Kind.TOP;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One window of metrics for a (tenant, route, model): a row of {@code llm_metrics} and the value
 * of a record on the {@code llm.metrics} topic. Every revision carries the full values of its
 * window, so a later revision replaces an earlier one.
 *
 * <p>This record is the catalogue of metric columns ({@link MetricColumns}): each component's JSON
 * name is its column's name, and {@link Rollup} says how it combines into coarser spans.
 *
 * @param requests          joined request/response pairs whose response lies in the window
 * @param timeouts          requests without a response whose deadline lies in the window
 * @param avgLatencyMs      null when the window holds no joined pair (only timeouts)
 * @param latencySumMs      sum of latencies, so coarser rollups recompute the mean exactly
 * @param estimatedCostUsd  exact decimal sum of the pairs' costs
 * @param unpricedRequests  pairs whose model neither the catalog nor the user's entries price (they cost 0)
 * @param latencySketch     encoded DDSketch of the latencies (base64 in JSON), mergeable
 * @param revision          1 for the first firing of the window, +1 for each late update
 * @param jobRun            the job run that computed it (the id of the job that started without
 *                          state; restores keep it), or null when unknown
 * @param cachedPromptTokens prompt tokens read from the prompt cache (part of the prompt tokens)
 * @param cacheWriteTokens  prompt tokens written to the prompt cache (part of the prompt tokens)
 * @param reasoningTokens   completion tokens spent on reasoning (part of the completion tokens)
 * @param streamedRequests  joined calls that reported a time to first token
 * @param p50TtftMs         time to first token of the streamed calls (null without any)
 * @param ttftSketch        encoded DDSketch of the times to first token, mergeable
 * @param generationMsSum   sum over calls of latency minus time to first token (the whole latency
 *                          when not streamed): the time spent producing completion tokens
 * @param outputTokensPerSecond completion tokens over generation time (null when it is 0)
 * @param truncatedRequests joined calls whose output stopped at the token limit
 *                          ({@link FinishReasons#stoppedAtTokenLimit})
 * @param priceVersion      the prices the row's calls were priced with: as of this published
 *                          price version (0: the job's own, no version in force; docs/PRICING.md)
 * @param topUsers          who the calls were for: the heaviest end users by cost, requests, tokens
 *                          and errors, encoded ({@link dev.streamlens.model.attribution.Contributors};
 *                          null without completed calls; docs/ATTRIBUTION.md)
 * @param topSessions       the same for sessions
 * @param topTags           the same for the values of the tenant's declared tag keys, ids
 *                          {@code key=value} ({@link dev.streamlens.model.attribution.Tags}; null
 *                          when the tenant declared none; docs/ATTRIBUTION.md#custom-dimensions)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MetricsRow(
        @Rollup(KEY) @JsonProperty("tenant_id") String tenantId,
        @Rollup(KEY) @JsonProperty("route") String route,
        @Rollup(KEY) @JsonProperty("model") String model,
        @Rollup(KEY) @JsonProperty("window_start") Instant windowStart,
        @Rollup(SPAN) @JsonProperty("window_end") Instant windowEnd,
        @Rollup(SUM) @JsonProperty("requests") long requests,
        @Rollup(SUM) @JsonProperty("errors") long errors,
        @Rollup(SUM) @JsonProperty("timeouts") long timeouts,
        @Rollup(DERIVED) @JsonProperty("avg_latency_ms") Double avgLatencyMs,
        @Rollup(DERIVED) @JsonProperty("p50_latency_ms") Double p50LatencyMs,
        @Rollup(DERIVED) @JsonProperty("p95_latency_ms") Double p95LatencyMs,
        @Rollup(DERIVED) @JsonProperty("p99_latency_ms") Double p99LatencyMs,
        @Rollup(DERIVED) @JsonProperty("avg_prompt_tokens") Double avgPromptTokens,

        @Rollup(DERIVED) @JsonProperty("avg_completion_tokens")
        Double avgCompletionTokens,

        @Rollup(SUM) @JsonProperty("total_prompt_tokens") long totalPromptTokens,

        @Rollup(SUM) @JsonProperty("total_completion_tokens")
        long totalCompletionTokens,

        @Rollup(SUM) @JsonProperty("latency_sum_ms") double latencySumMs,
        @Rollup(SUM) @JsonProperty("estimated_cost_usd") BigDecimal estimatedCostUsd,
        @Rollup(SUM) @JsonProperty("unpriced_requests") long unpricedRequests,
        @Rollup(SKETCH) @JsonProperty("latency_sketch") byte[] latencySketch,
        @Rollup(BOOKKEEPING) @JsonProperty("revision") int revision,
        @Rollup(BOOKKEEPING) @JsonProperty("job_run") String jobRun,
        @Rollup(SUM) @JsonProperty("cached_prompt_tokens") long cachedPromptTokens,
        @Rollup(SUM) @JsonProperty("cache_write_tokens") long cacheWriteTokens,
        @Rollup(SUM) @JsonProperty("reasoning_tokens") long reasoningTokens,
        @Rollup(SUM) @JsonProperty("streamed_requests") long streamedRequests,
        @Rollup(DERIVED) @JsonProperty("p50_ttft_ms") Double p50TtftMs,
        @Rollup(DERIVED) @JsonProperty("p95_ttft_ms") Double p95TtftMs,
        @Rollup(DERIVED) @JsonProperty("p99_ttft_ms") Double p99TtftMs,
        @Rollup(SKETCH) @JsonProperty("ttft_sketch") byte[] ttftSketch,
        @Rollup(SUM) @JsonProperty("generation_ms_sum") double generationMsSum,

        @Rollup(DERIVED) @JsonProperty("output_tokens_per_second")
        Double outputTokensPerSecond,

        @Rollup(SUM) @JsonProperty("truncated_requests") long truncatedRequests,
        @Rollup(HIGHEST) @JsonProperty("price_version") long priceVersion,
        @Rollup(TOP) @JsonProperty("top_users") byte[] topUsers,
        @Rollup(TOP) @JsonProperty("top_sessions") byte[] topSessions,
        @Rollup(TOP) @JsonProperty("top_tags") byte[] topTags) {

    /** A row without prompt-cache, reasoning, streaming and finish-reason figures (all zero or absent). */
    public MetricsRow(
            String tenantId,
            String route,
            String model,
            Instant windowStart,
            Instant windowEnd,
            long requests,
            long errors,
            long timeouts,
            Double avgLatencyMs,
            Double p50LatencyMs,
            Double p95LatencyMs,
            Double p99LatencyMs,
            Double avgPromptTokens,
            Double avgCompletionTokens,
            long totalPromptTokens,
            long totalCompletionTokens,
            double latencySumMs,
            BigDecimal estimatedCostUsd,
            long unpricedRequests,
            byte[] latencySketch,
            int revision,
            String jobRun) {
        this(
                tenantId,
                route,
                model,
                windowStart,
                windowEnd,
                requests,
                errors,
                timeouts,
                avgLatencyMs,
                p50LatencyMs,
                p95LatencyMs,
                p99LatencyMs,
                avgPromptTokens,
                avgCompletionTokens,
                totalPromptTokens,
                totalCompletionTokens,
                latencySumMs,
                estimatedCostUsd,
                unpricedRequests,
                latencySketch,
                revision,
                jobRun,
                0,
                0,
                0,
                0,
                null,
                null,
                null,
                null,
                0,
                null,
                0,
                0,
                null,
                null,
                null);
    }

    /** The Kafka key of this row on {@code llm.metrics}: {@code tenant|route|model}. */
    public String seriesKey() {
        return tenantId + "|" + route + "|" + model;
    }
}
