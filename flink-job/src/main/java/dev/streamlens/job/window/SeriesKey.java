package dev.streamlens.job.window;

import dev.streamlens.job.events.JoinedCall;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * A metrics series: (tenant_id, route, model). A tuple rather than "tenant|route|model" so that
 * names containing '|' can never collide.
 */
public final class SeriesKey implements KeySelector<JoinedCall, Tuple3<String, String, String>> {

    private static final long serialVersionUID = 1L;

    @Override
    public Tuple3<String, String, String> getKey(JoinedCall call) {
        return Tuple3.of(call.tenantId, call.route, call.model);
    }
}
