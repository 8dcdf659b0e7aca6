package dev.streamlens.job.window;

import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.attribution.Tags;
import dev.streamlens.model.pricing.PriceVersions;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Emits a window's full values each time it fires: first when the watermark passes its end
 * (revision 1), then once per late event within the allowed lateness (revision 2, 3, ...).
 * The revision lives in per-window state, so it survives a restore.
 *
 * <p>Every row also names the job run that computed it: the id of the job that started without
 * state, kept in the checkpoints from then on. PostgreSQL never lets one run replace another
 * run's row (a run started without state saw only part of the windows that were open).
 */
public final class WindowRowEmitter
        extends ProcessWindowFunction<WindowAccumulator, MetricsRow, Tuple3<String, String, String>, TimeWindow>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    private static final ValueStateDescriptor<Integer> REVISION = new ValueStateDescriptor<>("revision", Integer.class);
    private static final ValueStateDescriptor<Long> UNPRICED_COUNTED =
            new ValueStateDescriptor<>("unpriced-counted", Long.class);
    private static final ListStateDescriptor<String> JOB_RUN = new ListStateDescriptor<>("job-run", Types.STRING);

    private final PriceVersions prices;
    private final int tagValueCap;
    private transient Counter unpriced;
    private transient Counter revisions;
    private transient String jobRun;

    /**
     * @param prices prices only what a window restored from a job that priced sums held (calls are
     *               priced one by one after the join); built where the job is built and shipped
     */
    public WindowRowEmitter(PriceVersions prices) {
        this(prices, Tags.DEFAULT_VALUE_CAP);
    }

    /** @param tagValueCap values of one tag key a row keeps; the rest count under "other" */
    public WindowRowEmitter(PriceVersions prices, int tagValueCap) {
        this.prices = prices;
        this.tagValueCap = tagValueCap;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Union state: after a rescale every subtask still sees the run's id.
        ListState<String> stored = context.getOperatorStateStore().getUnionListState(JOB_RUN);
        for (String run : stored.get()) {
            jobRun = run;
        }
        if (jobRun == null) {
            // Started without state (or from state older than run ids): this job is a new run.
            jobRun = getRuntimeContext().getJobInfo().getJobId().toHexString();
        }
        stored.update(java.util.List.of(jobRun));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // The run's id never changes after initializeState.
    }

    @Override
    public void open(OpenContext openContext) {
        unpriced = getRuntimeContext().getMetricGroup().counter("streamlens_unpriced_requests");
        revisions = getRuntimeContext().getMetricGroup().counter("streamlens_late_revisions");
    }

    @Override
    public void process(
            Tuple3<String, String, String> series,
            Context ctx,
            Iterable<WindowAccumulator> accumulators,
            Collector<MetricsRow> out)
            throws Exception {
        WindowAccumulator acc = accumulators.iterator().next();
        ValueState<Integer> revisionState = ctx.windowState().getState(REVISION);
        int revision = revisionState.value() == null ? 1 : revisionState.value() + 1;
        revisionState.update(revision);
        if (revision > 1) {
            revisions.inc();
        }

        TimeWindow window = ctx.window();
        MetricsRow row = acc.totals(prices, series.f2, window.getStart(), tagValueCap)
                .toRow(
                        series.f0,
                        series.f1,
                        series.f2,
                        Instant.ofEpochMilli(window.getStart()),
                        Instant.ofEpochMilli(window.getEnd()),
                        revision,
                        jobRun);

        // Count each unpriced call once, however many revisions its window gets.
        ValueState<Long> counted = ctx.windowState().getState(UNPRICED_COUNTED);
        long before = counted.value() == null ? 0 : counted.value();
        if (row.unpricedRequests() > before) {
            unpriced.inc(row.unpricedRequests() - before);
            counted.update(row.unpricedRequests());
        }
        out.collect(row);
    }

    @Override
    public void clear(Context ctx) {
        ctx.windowState().getState(REVISION).clear();
        ctx.windowState().getState(UNPRICED_COUNTED).clear();
    }
}
