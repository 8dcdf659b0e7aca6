package dev.streamlens.job.window;

import dev.streamlens.job.events.JoinedCall;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Incremental aggregation of a window: each call updates counters and the latency sketch. */
public final class CallAggregate implements AggregateFunction<JoinedCall, WindowAccumulator, WindowAccumulator> {

    private static final long serialVersionUID = 1L;

    @Override
    public WindowAccumulator createAccumulator() {
        return new WindowAccumulator();
    }

    @Override
    public WindowAccumulator add(JoinedCall call, WindowAccumulator acc) {
        acc.add(call);
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
