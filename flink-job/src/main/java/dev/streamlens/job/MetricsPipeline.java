package dev.streamlens.job;

import dev.streamlens.job.events.DeadLetter;
import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.events.LateEvent;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.join.JoinKeySerializer;
import dev.streamlens.job.join.RequestResponseJoin;
import dev.streamlens.job.pricing.PriceCalls;
import dev.streamlens.job.time.CommittedWatermark;
import dev.streamlens.job.time.RestoredWatermark;
import dev.streamlens.job.window.CallAggregate;
import dev.streamlens.job.window.CallBatch;
import dev.streamlens.job.window.CallPreAggregator;
import dev.streamlens.job.window.CallWindows;
import dev.streamlens.job.window.SeriesKey;
import dev.streamlens.job.window.WindowAccumulatorTypeInfo;
import dev.streamlens.job.window.WindowRowEmitter;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.attribution.Tags;
import dev.streamlens.model.pricing.CallPricer;
import dev.streamlens.model.pricing.PriceVersions;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The metrics pipeline in one place, between the sources and the sinks:
 * <pre>
 *   requests ─┐ split off rejected ─┐
 *             │                     ├─ join by request_id ─ price ─ windows by (tenant, route, model) ─► rows
 *   responses ┘ split off rejected ─┘        │ orphans, responses after timeout           │ too late
 *                                            ▼                                   ▼
 *                          dead letters (rejected + orphans)            late events
 * </pre>
 * The inputs must already carry event-time timestamps and watermarks. Clock ticks in the inputs
 * (they only move watermarks) stop at the first step.
 */
public final class MetricsPipeline {

    /** What the pipeline produces, for the caller to send to its sinks. */
    public record Outputs(
            DataStream<MetricsRow> rows, DataStream<DeadLetter> deadLetters, DataStream<LateEvent> lateEvents) {}

    /** The timing settings the pipeline needs. */
    public record Timing(Duration window, Duration joinTimeout, Duration allowedLateness) {
        public static Timing of(JobSettings settings) {
            return new Timing(settings.window, settings.joinTimeout, settings.allowedLateness);
        }
    }

    /**
     * How calls are priced: the job's pricer with the price versions published when it was built,
     * and the versions published while it runs ({@code llm.prices}, JSON; null: none will be).
     */
    public record Prices(PriceVersions published, DataStream<String> updates) {
        /** One pricer, no versions. */
        public static Prices fixed(CallPricer pricer) {
            return new Prices(PriceVersions.none(pricer), null);
        }
    }

    static final OutputTag<DeadLetter> REJECTED = new OutputTag<>("rejected") {};
    static final OutputTag<CallBatch> TOO_LATE = new OutputTag<>("too-late-for-window") {};
    /**
     * Why a call did not count: its window was closed — beyond the allowed lateness, or before this
     * run of the job began (restored, resumed after a drained stop, started without state).
     */
    static final String WINDOW_CLOSED = "window closed beyond the allowed lateness";
    /** Open batches the pre-aggregation holds at most (series × windows between two watermarks). */
    static final int MAX_OPEN_BATCHES = 10_000;

    private MetricsPipeline() {}

    /** The join's key: request_id, or tenant and request_id when ids are scoped per tenant. */
    static KeySelector<TelemetryEvent, String> joinKey(boolean tenantScopedIds) {
        return event -> RequestResponseJoin.key(event, tenantScopedIds);
    }

    public static Outputs build(
            DataStream<TelemetryEvent> requests,
            DataStream<TelemetryEvent> responses,
            Timing timing,
            CallPricer pricer) {
        return build(requests, responses, timing, pricer, false);
    }

    /**
     * @param tenantScopedIds join on tenant and request_id (API keys on: every response carries its
     *                        tenant), so one tenant's ids can never meet another's
     */
    public static Outputs build(
            DataStream<TelemetryEvent> requests,
            DataStream<TelemetryEvent> responses,
            Timing timing,
            CallPricer pricer,
            boolean tenantScopedIds) {
        return build(requests, responses, timing, Prices.fixed(pricer), tenantScopedIds, CommittedWatermark.NONE);
    }

    /**
     * @param committed where a start without state finds the watermark earlier runs of the job
     *                  committed: the windows they wrote stay closed to it (a recompute passes
     *                  {@link CommittedWatermark#NONE}: it computes past windows on purpose)
     */
    public static Outputs build(
            DataStream<TelemetryEvent> requests,
            DataStream<TelemetryEvent> responses,
            Timing timing,
            Prices prices,
            boolean tenantScopedIds,
            CommittedWatermark committed) {
        return build(requests, responses, timing, prices, tenantScopedIds, committed, Tags.DEFAULT_VALUE_CAP);
    }

    /** @param tagValueCap values of one tag key a window's row keeps; the rest count under "other" */
    public static Outputs build(
            DataStream<TelemetryEvent> requests,
            DataStream<TelemetryEvent> responses,
            Timing timing,
            Prices prices,
            boolean tenantScopedIds,
            CommittedWatermark committed,
            int tagValueCap) {
        // As wide as its source, so that it chains to it.
        SingleOutputStreamOperator<TelemetryEvent> validRequests = resumedAtCheckpointWatermark(
                        requests, "requests", committed)
                .process(new SplitRejected())
                .setParallelism(requests.getParallelism())
                .uid("split-rejected-requests")
                .name("validate requests");
        SingleOutputStreamOperator<TelemetryEvent> validResponses = resumedAtCheckpointWatermark(
                        responses, "responses", committed)
                .process(new SplitRejected())
                .setParallelism(responses.getParallelism())
                .uid("split-rejected-responses")
                .name("validate responses");

        SingleOutputStreamOperator<JoinedCall> calls = validRequests
                .connect(validResponses)
                .keyBy(joinKey(tenantScopedIds), joinKey(tenantScopedIds), JoinKeySerializer.TYPE)
                .process(new RequestResponseJoin(timing.joinTimeout(), timing.allowedLateness(), timing.window()))
                .uid("join-requests-responses")
                .name("join requests and responses");

        SingleOutputStreamOperator<JoinedCall> pricedCalls = prices.updates() == null
                ? calls.map(new PriceCalls.Fixed(prices.published()))
                        .uid("price-calls")
                        .name("price calls")
                : calls.connect(prices.updates().broadcast(PriceCalls.VERSIONS))
                        .process(new PriceCalls(prices.published()))
                        .uid("price-calls")
                        .name("price calls");

        SingleOutputStreamOperator<CallBatch> batches = pricedCalls
                .transform(
                        "pre-aggregate calls per series and window",
                        TypeInformation.of(CallBatch.class),
                        new CallPreAggregator(
                                timing.window().toMillis(),
                                timing.allowedLateness().toMillis(),
                                MAX_OPEN_BATCHES,
                                committed))
                .uid("pre-aggregate-calls");
        SingleOutputStreamOperator<MetricsRow> rows = batches.keyBy(new SeriesKey())
                .window(CallWindows.of(timing.window()))
                .allowedLateness(timing.allowedLateness())
                .sideOutputLateData(TOO_LATE)
                .aggregate(
                        new CallAggregate(),
                        new WindowRowEmitter(prices.published(), tagValueCap),
                        WindowAccumulatorTypeInfo.INSTANCE,
                        WindowAccumulatorTypeInfo.INSTANCE,
                        TypeInformation.of(MetricsRow.class))
                .uid("window-metrics")
                .name("aggregate windows");

        DataStream<LateEvent> late = rows.getSideOutput(TOO_LATE)
                .union(batches.getSideOutput(CallPreAggregator.CLOSED_BEFORE_RESTORE))
                .flatMap(new LateCalls())
                .uid("late-calls")
                .name("late calls")
                .map(new Labelled(WINDOW_CLOSED))
                .uid("late-for-window")
                .name("late for their window")
                .union(calls.getSideOutput(RequestResponseJoin.LATE_RESPONSES)
                        .map(new Labelled("response arrived after its request had timed out"))
                        .uid("late-after-timeout")
                        .name("late after timeout"))
                .map(new Counted<LateEvent>("streamlens_late_events"))
                .uid("count-late-events")
                .name("count late events");

        DataStream<DeadLetter> deadLetters = validRequests
                .getSideOutput(REJECTED)
                .union(validResponses.getSideOutput(REJECTED), calls.getSideOutput(RequestResponseJoin.ORPHANS))
                .map(new Counted<DeadLetter>("streamlens_dead_letters"))
                .uid("count-dead-letters")
                .name("count dead letters");

        return new Outputs(rows, deadLetters, late);
    }

    /** The source's events, starting after a restore at the watermark its checkpoint held ({@link RestoredWatermark}). */
    private static DataStream<TelemetryEvent> resumedAtCheckpointWatermark(
            DataStream<TelemetryEvent> source, String what, CommittedWatermark committed) {
        return source.transform(
                        "resume " + what + " at the checkpoint's watermark",
                        source.getType(),
                        new RestoredWatermark<TelemetryEvent>(committed))
                .setParallelism(source.getParallelism())
                .uid("restored-watermark-" + what);
    }

    /**
     * Passes valid events on, sends rejected ones with their reason to the dead letter, and drops
     * clock ticks (their work, moving the watermark, is done in the source).
     */
    static final class SplitRejected extends ProcessFunction<TelemetryEvent, TelemetryEvent> {
        private static final long serialVersionUID = 1L;
        private transient Counter rejected;

        @Override
        public void open(OpenContext openContext) {
            rejected = getRuntimeContext().getMetricGroup().counter("streamlens_rejected_events");
        }

        @Override
        public void processElement(TelemetryEvent event, Context ctx, Collector<TelemetryEvent> out) {
            if (event.isClockTick()) {
                return;
            }
            if (event.isRejected()) {
                rejected.inc();
                ctx.output(REJECTED, new DeadLetter(event.sourceTopic, event.key, event.raw, event.reason));
            } else {
                out.collect(event);
            }
        }
    }

    /**
     * The calls of a batch too late for its window. A batch normally holds one such call (the
     * pre-aggregation sends calls for fired windows alone, and its batches before the watermark
     * that could make them late); a batch of several is late only when its input was idle while
     * others moved the window stage's watermark on, and then goes to the late output as one record
     * naming how many calls it held.
     */
    static final class LateCalls
            implements org.apache.flink.api.common.functions.FlatMapFunction<CallBatch, JoinedCall> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(CallBatch batch, Collector<JoinedCall> out) {
            out.collect(batch.single != null ? batch.single : batch.summary());
        }
    }

    /** Labels calls too late to count with the reason. */
    static final class Labelled extends RichMapFunction<JoinedCall, LateEvent> {
        private static final long serialVersionUID = 1L;
        private final String reason;

        Labelled(String reason) {
            this.reason = reason;
        }

        @Override
        public LateEvent map(JoinedCall call) {
            return new LateEvent(call, reason);
        }
    }

    /**
     * Counts what goes to one of the job's side topics, right before its sink, so the counter
     * agrees with the topic.
     */
    static final class Counted<T> extends RichMapFunction<T, T> {
        private static final long serialVersionUID = 1L;
        private final String metric;
        private transient Counter counter;

        Counted(String metric) {
            this.metric = metric;
        }

        @Override
        public void open(OpenContext openContext) {
            counter = getRuntimeContext().getMetricGroup().counter(metric);
        }

        @Override
        public T map(T value) {
            counter.inc();
            return value;
        }
    }
}
