package dev.streamlens.job.window;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.pricing.PriceTable;
import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import java.math.BigDecimal;

/**
 * The running totals of one window: counts and sums, and a latency sketch — never the raw
 * latencies — so a window's state stays bounded (a few KiB at most) whatever its traffic.
 * Serialized by {@link WindowAccumulatorSerializer}.
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(WindowAccumulatorTypeInfo.Factory.class)
public final class WindowAccumulator {

    long requests;
    long errors;
    long timeouts;
    long promptTokens;
    long completionTokens;
    double latencySumMs;
    LatencySketch latencies;
    long cachedPromptTokens;
    long cacheWriteTokens;
    long reasoningTokens;
    long streamedRequests;
    double generationMsSum;
    LatencySketch ttfts;
    long truncatedRequests;

    public WindowAccumulator() {
        this.latencies = LatencySketch.create();
        this.ttfts = LatencySketch.create();
    }

    public void add(JoinedCall call) {
        if (call.timeout) {
            timeouts += call.retraction ? -1 : 1;
            return;
        }
        requests++;
        if (call.failed) {
            errors++;
        }
        promptTokens += call.promptTokens;
        completionTokens += call.completionTokens;
        latencySumMs += call.latencyMs;
        latencies.add(call.latencyMs);
        cachedPromptTokens += call.cachedPromptTokens;
        cacheWriteTokens += call.cacheWriteTokens;
        reasoningTokens += call.reasoningTokens;
        if (call.truncated) {
            truncatedRequests++;
        }
        if (Double.isNaN(call.timeToFirstTokenMs)) {
            generationMsSum += call.latencyMs;
        } else {
            streamedRequests++;
            ttfts.add(call.timeToFirstTokenMs);
            generationMsSum += call.latencyMs - call.timeToFirstTokenMs;
        }
    }

    public void merge(WindowAccumulator other) {
        requests += other.requests;
        errors += other.errors;
        timeouts += other.timeouts;
        promptTokens += other.promptTokens;
        completionTokens += other.completionTokens;
        latencySumMs += other.latencySumMs;
        latencies.merge(other.latencies);
        cachedPromptTokens += other.cachedPromptTokens;
        cacheWriteTokens += other.cacheWriteTokens;
        reasoningTokens += other.reasoningTokens;
        streamedRequests += other.streamedRequests;
        generationMsSum += other.generationMsSum;
        ttfts.merge(other.ttfts);
        truncatedRequests += other.truncatedRequests;
    }

    /**
     * The window's totals, priced (docs/DESIGN.md#what-the-numbers-mean, rule 6): a model without a price costs 0 and its calls
     * count as unpriced. The sketch is shared, not copied: the totals live only until the row is built.
     */
    public CallTotals totals(PriceTable.Price price) {
        BigDecimal cost = price == null || requests == 0
                ? BigDecimal.ZERO.setScale(12)
                : PriceTable.costUsd(price, promptTokens, cachedPromptTokens, cacheWriteTokens, completionTokens);
        return CallTotals.builder()
                .sum("requests", requests)
                .sum("errors", errors)
                .sum("timeouts", timeouts)
                .sum("latency_sum_ms", latencySumMs)
                .sum("total_prompt_tokens", promptTokens)
                .sum("total_completion_tokens", completionTokens)
                .sum("estimated_cost_usd", cost)
                .sum("unpriced_requests", price == null ? requests : 0L)
                .sum("cached_prompt_tokens", cachedPromptTokens)
                .sum("cache_write_tokens", cacheWriteTokens)
                .sum("reasoning_tokens", reasoningTokens)
                .sum("streamed_requests", streamedRequests)
                .sum("generation_ms_sum", generationMsSum)
                .sum("truncated_requests", truncatedRequests)
                .sketch("latency_sketch", latencies)
                .sketch("ttft_sketch", ttfts)
                .build();
    }

    WindowAccumulator copy() {
        WindowAccumulator copy = new WindowAccumulator();
        copy.merge(this);
        return copy;
    }
}
