package dev.streamlens.job.window;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Incremental aggregation of a window: each batch of calls ({@link CallPreAggregator}) adds its
 * totals, each call passed on alone its counts and latency.
 */
public final class CallAggregate implements AggregateFunction<CallBatch, WindowAccumulator, WindowAccumulator> {

    private static final long serialVersionUID = 1L;

    @Override
    public WindowAccumulator createAccumulator() {
        return new WindowAccumulator();
    }

    @Override
    public WindowAccumulator add(CallBatch batch, WindowAccumulator acc) {
        batch.addTo(acc);
        return acc;
    }

    @Override
    public WindowAccumulator getResult(WindowAccumulator acc) {
        return acc;
    }

    @Override
    public WindowAccumulator merge(WindowAccumulator a, WindowAccumulator b) {
        a.merge(b);
        return a;
    }
}
