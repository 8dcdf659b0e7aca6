package dev.streamlens.job.window;

import dev.streamlens.model.MetricsRollup;
import dev.streamlens.model.MetricsRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Rolls a series' minute rows up into its hour, keyed by (tenant, route, model, hour): each time
 * a minute row of the hour arrives or is revised, the hour's row is recomputed from the latest
 * revision of each of its minutes and emitted with the next revision. The hour's state is
 * dropped once none of its minutes can be revised any more (hour end + allowed lateness).
 */
public final class HourlyRollup
        extends KeyedProcessFunction<Tuple4<String, String, String, Long>, MetricsRow, MetricsRow> {

    private static final long serialVersionUID = 1L;
    private static final long HOUR_MS = Duration.ofHours(1).toMillis();

    private final long allowedLatenessMs;
    private transient MapState<Long, MetricsRow> minutes;
    private transient ValueState<Integer> revision;

    public HourlyRollup(Duration allowedLateness) {
        this.allowedLatenessMs = allowedLateness.toMillis();
    }

    /** (tenant, route, model, start of the hour); a class, since Flink cannot see a lambda's tuple types. */
    public static final class HourKey implements KeySelector<MetricsRow, Tuple4<String, String, String, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Tuple4<String, String, String, Long> getKey(MetricsRow row) {
            return Tuple4.of(row.tenantId(), row.route(), row.model(),
                    WindowMath.windowStart(row.windowStart().toEpochMilli(), HOUR_MS));
        }
    }

    @Override
    public void open(OpenContext openContext) {
        minutes = getRuntimeContext().getMapState(new MapStateDescriptor<>("minutes", Types.LONG,
                TypeInformation.of(MetricsRow.class)));
        revision = getRuntimeContext().getState(new ValueStateDescriptor<>("hour-revision", Integer.class));
    }

    @Override
    public void processElement(MetricsRow row, Context ctx, Collector<MetricsRow> out) throws Exception {
        Tuple4<String, String, String, Long> hour = ctx.getCurrentKey();
        minutes.put(row.windowStart().toEpochMilli(), row);
        int next = revision.value() == null ? 1 : revision.value() + 1;
        revision.update(next);
        if (next == 1) {
            ctx.timerService().registerEventTimeTimer(hour.f3 + HOUR_MS + allowedLatenessMs);
        }
        List<MetricsRow> all = new ArrayList<>();
        minutes.values().forEach(all::add);
        out.collect(MetricsRollup.combine(hour.f0, hour.f1, hour.f2, Instant.ofEpochMilli(hour.f3),
                Instant.ofEpochMilli(hour.f3 + HOUR_MS), all, next));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricsRow> out) {
        minutes.clear();
        revision.clear();
    }
}
