package dev.streamlens.job.pricing;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.model.pricing.CallPricer;
import dev.streamlens.model.pricing.PriceSet;
import java.util.OptionalLong;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Prices each call right after the join, on its own tokens and at its own time (docs/PRICING.md):
 * a prompt that crosses a tier's start pays that tier for this call alone, and a call arriving
 * late, or recomputed, still pays the prices in force at its event time. The windows then add
 * costs, never price sums.
 */
public final class PriceCalls implements MapFunction<JoinedCall, JoinedCall> {

    private static final long serialVersionUID = 1L;

    private final CallPricer pricer;

    /** The pricer is built once, where the job is built, and shipped with the function. */
    public PriceCalls(CallPricer pricer) {
        this.pricer = pricer;
    }

    @Override
    public JoinedCall map(JoinedCall call) {
        if (call.timeout) {
            return call; // a call without an answer has no tokens to price
        }
        OptionalLong cost = pricer.picoDollars(
                call.provider,
                call.model,
                call.eventTime,
                new PriceSet.Usage(
                        call.promptTokens,
                        call.cachedPromptTokens,
                        call.cacheWriteTokens,
                        call.completionTokens,
                        call.reasoningTokens));
        call.priced = cost.isPresent();
        call.costPicoDollars = cost.orElse(0);
        return call;
    }
}
