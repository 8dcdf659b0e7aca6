package dev.streamlens.query.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.streamlens.model.CallTotals;
import dev.streamlens.model.MetricsRow;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of the answer of {@code GET /v1/metrics}: the figures of a stored row, without its raw
 * sketches, the sums behind its averages and its job run (README.md#reading-metrics-query-service-port-8081).
 * In a rollup, {@code route} or {@code model} is absent when the query summed over it, and
 * {@code revision} is absent. {@code final} says whether the window (or bucket) can still change
 * (docs/DESIGN.md#freshness); absent until the job has reported its progress.
 */
public record MetricsAnswerRow(
        @JsonProperty("tenant_id") String tenantId,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("route")
        String route,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("model")
        String model,

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

        @JsonProperty("estimated_cost_usd") @JsonSerialize(using = PlainDecimalSerializer.class)
        BigDecimal estimatedCostUsd,

        @JsonProperty("unpriced_requests") long unpricedRequests,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("revision")
        Integer revision,

        @JsonProperty("cached_prompt_tokens") long cachedPromptTokens,
        @JsonProperty("cache_write_tokens") long cacheWriteTokens,
        @JsonProperty("reasoning_tokens") long reasoningTokens,
        @JsonProperty("streamed_requests") long streamedRequests,
        @JsonProperty("p50_ttft_ms") Double p50TtftMs,
        @JsonProperty("p95_ttft_ms") Double p95TtftMs,
        @JsonProperty("p99_ttft_ms") Double p99TtftMs,
        @JsonProperty("output_tokens_per_second") Double outputTokensPerSecond,
        @JsonProperty("truncated_requests") long truncatedRequests,
        @JsonProperty("price_version") long priceVersion,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("final")
        Boolean isFinal) {

    /** Costs are stored to the pico-dollar; answer them without trailing zeros or exponents (0.018, 0). */
    public MetricsAnswerRow {
        if (estimatedCostUsd != null) {
            estimatedCostUsd = estimatedCostUsd.signum() == 0 ? BigDecimal.ZERO : estimatedCostUsd.stripTrailingZeros();
            if (estimatedCostUsd.scale() < 0) {
                estimatedCostUsd = estimatedCostUsd.setScale(0);
            }
        }
    }

    /**
     * A stored row as it is answered, with its revision, and whether it is final (absent while the
     * job has not reported progress).
     */
    static MetricsAnswerRow of(MetricsRow row, Optional<Freshness> freshness) {
        return of(row, row.revision(), freshness);
    }

    /**
     * A rollup's bucket, its values derived from the summed totals as the job derives its rows';
     * {@code route} or {@code model} null when the query summed over it.
     */
    static MetricsAnswerRow ofBucket(
            String tenant,
            String route,
            String model,
            Instant start,
            Instant end,
            CallTotals totals,
            Optional<Freshness> freshness) {
        return of(totals.toRow(tenant, route, model, start, end, 0, null), null, freshness);
    }

    private static MetricsAnswerRow of(MetricsRow row, Integer revision, Optional<Freshness> freshness) {
        return new MetricsAnswerRow(
                row.tenantId(),
                row.route(),
                row.model(),
                row.windowStart(),
                row.windowEnd(),
                row.requests(),
                row.errors(),
                row.timeouts(),
                row.avgLatencyMs(),
                row.p50LatencyMs(),
                row.p95LatencyMs(),
                row.p99LatencyMs(),
                row.avgPromptTokens(),
                row.avgCompletionTokens(),
                row.totalPromptTokens(),
                row.totalCompletionTokens(),
                row.estimatedCostUsd(),
                row.unpricedRequests(),
                revision,
                row.cachedPromptTokens(),
                row.cacheWriteTokens(),
                row.reasoningTokens(),
                row.streamedRequests(),
                row.p50TtftMs(),
                row.p95TtftMs(),
                row.p99TtftMs(),
                row.outputTokensPerSecond(),
                row.truncatedRequests(),
                row.priceVersion(),
                freshness.map(f -> f.isFinal(row.windowEnd())).orElse(null));
    }
}
