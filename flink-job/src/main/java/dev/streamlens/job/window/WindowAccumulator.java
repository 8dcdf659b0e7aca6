package dev.streamlens.job.window;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Tags;
import dev.streamlens.model.pricing.PriceSet;
import dev.streamlens.model.pricing.PriceVersions;
import java.math.BigDecimal;

/**
 * The running totals of one window: counts and sums, a latency sketch — never the raw
 * latencies — and summaries of the heaviest end users and sessions — never every id — so a
 * window's state stays bounded whatever its traffic and however many users it serves.
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
    /** The calls' own costs, each priced after the join (job/pricing/PriceCalls). */
    long costPicoDollars;

    long unpricedRequests;
    /** The latest price version any of the calls was priced with. */
    long priceVersion;
    /**
     * Token sums restored from a job that priced windows rather than calls (state format 3 or
     * older); null when there are none. Priced as that job did, on the sums, when the window fires.
     */
    RestoredSums restored;
    /** Who the completed calls were for: summaries of end users and sessions (docs/ATTRIBUTION.md). */
    ContributorChunks users;

    ContributorChunks sessions;
    /** The calls per value of the tenant's declared tag keys, ids key=value (docs/ATTRIBUTION.md#custom-dimensions). */
    ContributorChunks tags;

    /** The completed calls' counts a window held when it was restored from a job that priced sums. */
    static final class RestoredSums {
        long requests;
        long promptTokens;
        long cachedPromptTokens;
        long cacheWriteTokens;
        long completionTokens;
        long reasoningTokens;

        void merge(RestoredSums other) {
            requests += other.requests;
            promptTokens += other.promptTokens;
            cachedPromptTokens += other.cachedPromptTokens;
            cacheWriteTokens += other.cacheWriteTokens;
            completionTokens += other.completionTokens;
            reasoningTokens += other.reasoningTokens;
        }
    }

    public WindowAccumulator() {
        this.latencies = LatencySketch.create();
        this.ttfts = LatencySketch.create();
        this.users = new ContributorChunks();
        this.sessions = new ContributorChunks();
        this.tags = new ContributorChunks();
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
        if (call.priced) {
            costPicoDollars += call.costPicoDollars;
            priceVersion = Math.max(priceVersion, call.priceVersion);
        } else {
            unpricedRequests++;
        }
        long costNanoUsd = call.priced ? nanoDollars(call.costPicoDollars) : 0;
        long tokens = call.promptTokens + call.completionTokens;
        users.add(call.userId, costNanoUsd, tokens, call.failed);
        sessions.add(call.sessionId, costNanoUsd, tokens, call.failed);
        if (call.tags != null) {
            for (String tag : call.tags) {
                tags.add(tag, costNanoUsd, tokens, call.failed);
            }
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
        costPicoDollars += other.costPicoDollars;
        unpricedRequests += other.unpricedRequests;
        priceVersion = Math.max(priceVersion, other.priceVersion);
        users.merge(other.users);
        sessions.merge(other.sessions);
        tags.merge(other.tags);
        if (other.restored != null) {
            if (restored == null) {
                restored = new RestoredSums();
            }
            restored.merge(other.restored);
        }
    }

    /**
     * The window's totals: the sum of its calls' costs (docs/DESIGN.md#what-the-numbers-mean,
     * rule 6); a call without a price costs 0 and counts as unpriced. The sketch is shared, not
     * copied: the totals live only until the row is built.
     *
     * @param prices      prices the sums restored from a job that priced windows, at the window's start
     * @param tagValueCap values of one tag key the row keeps; the rest count under "other"
     */
    public CallTotals totals(PriceVersions prices, String model, long windowStartMs, int tagValueCap) {
        long cost = costPicoDollars;
        long unpriced = unpricedRequests;
        long version = priceVersion;
        if (restored != null && restored.requests > 0) {
            PriceVersions.Priced sums = prices.price(
                    null,
                    model,
                    windowStartMs,
                    new PriceSet.Usage(
                            restored.promptTokens,
                            restored.cachedPromptTokens,
                            restored.cacheWriteTokens,
                            restored.completionTokens,
                            restored.reasoningTokens));
            cost += sums.picoDollars().orElse(0);
            unpriced += sums.picoDollars().isPresent() ? 0 : restored.requests;
            version = Math.max(version, sums.version());
        }
        return CallTotals.builder()
                .sum("requests", requests)
                .sum("errors", errors)
                .sum("timeouts", timeouts)
                .sum("latency_sum_ms", latencySumMs)
                .sum("total_prompt_tokens", promptTokens)
                .sum("total_completion_tokens", completionTokens)
                .sum("estimated_cost_usd", BigDecimal.valueOf(cost, 12))
                .sum("unpriced_requests", unpriced)
                .sum("cached_prompt_tokens", cachedPromptTokens)
                .sum("cache_write_tokens", cacheWriteTokens)
                .sum("reasoning_tokens", reasoningTokens)
                .sum("streamed_requests", streamedRequests)
                .sum("generation_ms_sum", generationMsSum)
                .sum("truncated_requests", truncatedRequests)
                .sum("price_version", version)
                .sketch("latency_sketch", latencies)
                .sketch("ttft_sketch", ttfts)
                .contributors("top_users", users.merged())
                .contributors("top_sessions", sessions.merged())
                .contributors("top_tags", cappedTags(tagValueCap))
                .build();
    }

    private Contributors cappedTags(int cap) {
        Contributors merged = tags.merged();
        Tags.capValues(merged, cap);
        return merged;
    }

    /** A call's cost as the contributors summaries count it: to the nano-dollar, half up. */
    static long nanoDollars(long picoDollars) {
        return (picoDollars + 500) / 1000;
    }

    /**
     * Counts the completed calls of a window restored from a job that kept no contributors (state
     * format 4 or older) under no id, so the summaries still add up to the window's totals.
     */
    void countRestoredCallsUnderNoId(boolean costKnown) {
        if (requests == 0) {
            return;
        }
        long cost = costKnown ? nanoDollars(costPicoDollars) : 0;
        for (ContributorChunks summary : new ContributorChunks[] {users, sessions}) {
            summary.addCalls(null, requests, cost, promptTokens + completionTokens, errors);
        }
    }

    WindowAccumulator copy() {
        WindowAccumulator copy = new WindowAccumulator();
        copy.merge(this);
        return copy;
    }
}
