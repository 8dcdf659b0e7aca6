package dev.streamlens.job.window;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * A metrics series: (tenant_id, route, model). A tuple rather than "tenant|route|model" so that
 * names containing '|' can never collide.
 */
public final class SeriesKey implements KeySelector<CallBatch, Tuple3<String, String, String>> {

    private static final long serialVersionUID = 1L;

    @Override
    public Tuple3<String, String, String> getKey(CallBatch calls) {
        return Tuple3.of(calls.tenantId, calls.route, calls.model);
    }
}
