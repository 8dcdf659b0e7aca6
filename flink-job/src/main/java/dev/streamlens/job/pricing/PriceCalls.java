package dev.streamlens.job.pricing;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.model.pricing.PriceSet;
import dev.streamlens.model.pricing.PriceVersion;
import dev.streamlens.model.pricing.PriceVersions;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prices each call right after the join, on its own tokens and at its own time (docs/PRICING.md): a
 * prompt that crosses a tier's start pays that tier for this call alone, and a call arriving late,
 * or recomputed, still pays the prices in force at its event time, price versions published while
 * the job runs included. The windows then add costs, never price sums.
 *
 * <p>The price versions come twice: those published before the job was built with the function
 * (read then, so the first calls never race the price source), and every version the price source
 * reads, kept in broadcast state (restored with it). A version is in force for calls from its
 * {@code effective_from} on, as soon as this function has read it.
 */
public final class PriceCalls extends BroadcastProcessFunction<JoinedCall, String, JoinedCall> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PriceCalls.class);

    /** Price versions by number, each as its JSON. */
    public static final MapStateDescriptor<Long, String> VERSIONS =
            new MapStateDescriptor<>("price-versions", Types.LONG, Types.STRING);

    private final PriceVersions published;
    private transient PriceVersions current;

    /** @param published the job's pricer with the versions published when the job was built */
    public PriceCalls(PriceVersions published) {
        this.published = published;
    }

    @Override
    public void processElement(JoinedCall call, ReadOnlyContext ctx, Collector<JoinedCall> out) throws Exception {
        if (call.timeout) {
            out.collect(call); // a call without an answer has no tokens to price
            return;
        }
        if (current == null) {
            current = withStored(ctx.getBroadcastState(VERSIONS));
        }
        out.collect(price(call, current));
    }

    /** Sets a completed call's cost and price version from these prices; returns it. */
    public static JoinedCall price(JoinedCall call, PriceVersions prices) {
        PriceVersions.Priced priced = prices.price(
                call.provider,
                call.model,
                call.eventTime,
                new PriceSet.Usage(
                        call.promptTokens,
                        call.cachedPromptTokens,
                        call.cacheWriteTokens,
                        call.completionTokens,
                        call.reasoningTokens));
        call.priced = priced.picoDollars().isPresent();
        call.costPicoDollars = priced.picoDollars().orElse(0);
        call.priceVersion = priced.version();
        return call;
    }

    @Override
    public void processBroadcastElement(String json, Context ctx, Collector<JoinedCall> out) throws Exception {
        PriceVersion version;
        try {
            version = PriceVersion.fromJson(json.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.warn("skipped a price version: {}", e.getMessage());
            return;
        }
        BroadcastState<Long, String> stored = ctx.getBroadcastState(VERSIONS);
        stored.put(version.version(), json);
        current = withStored(stored);
        LOG.info("price version {} in force from {}", version.version(), version.effectiveFrom());
    }

    /** The same pricing for a pipeline without price versions to come (a recompute, a test): a plain map. */
    public static final class Fixed implements MapFunction<JoinedCall, JoinedCall> {
        private static final long serialVersionUID = 1L;
        private final PriceVersions prices;

        public Fixed(PriceVersions prices) {
            this.prices = prices;
        }

        @Override
        public JoinedCall map(JoinedCall call) {
            return call.timeout ? call : price(call, prices);
        }
    }

    private PriceVersions withStored(ReadOnlyBroadcastState<Long, String> stored) throws Exception {
        PriceVersions versions = published;
        for (Map.Entry<Long, String> entry : stored.immutableEntries()) {
            versions = versions.with(PriceVersion.fromJson(entry.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        return versions;
    }
}
