package dev.streamlens.job;

import dev.streamlens.job.events.DeadLetter;
import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.events.LateEvent;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.join.RequestResponseJoin;
import dev.streamlens.job.window.CallAggregate;
import dev.streamlens.job.window.CallWindows;
import dev.streamlens.job.window.HourlyRollup;
import dev.streamlens.job.window.PriceTable;
import dev.streamlens.job.window.SeriesKey;
import dev.streamlens.job.window.WindowAccumulatorTypeInfo;
import dev.streamlens.job.window.WindowRowEmitter;
import dev.streamlens.model.MetricsRow;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The metrics pipeline in one place, between the sources and the sinks:
 * <pre>
 *   requests ─┐ split off rejected ─┐
 *             │                     ├─ join by request_id ─ windows by (tenant, route, model) ─► rows ─► hourly rows
 *   responses ┘ split off rejected ─┘        │ orphans, responses after timeout   │ too late
 *                                            ▼                                   ▼
 *                          dead letters (rejected + orphans)            late events
 * </pre>
 * The inputs must already carry event-time timestamps and watermarks.
 */
public final class MetricsPipeline {

    /** What the pipeline produces, for the caller to send to its sinks. */
    public record Outputs(DataStream<MetricsRow> rows, DataStream<MetricsRow> hourlyRows,
                          DataStream<DeadLetter> deadLetters, DataStream<LateEvent> lateEvents) {
    }

    /** The timing settings the pipeline needs. */
    public record Timing(Duration window, Duration joinTimeout, Duration allowedLateness) {
        public static Timing of(JobSettings settings) {
            return new Timing(settings.window, settings.joinTimeout, settings.allowedLateness);
        }
    }

    static final OutputTag<DeadLetter> REJECTED = new OutputTag<>("rejected") { };
    static final OutputTag<JoinedCall> TOO_LATE = new OutputTag<>("too-late-for-window") { };

    private MetricsPipeline() {
    }

    /** The join's key: request_id, or tenant and request_id when ids are scoped per tenant. */
    static KeySelector<TelemetryEvent, String> joinKey(boolean tenantScopedIds) {
        return tenantScopedIds ? event -> event.tenantId + "|" + event.requestId : event -> event.requestId;
    }

    public static Outputs build(DataStream<TelemetryEvent> requests, DataStream<TelemetryEvent> responses,
                                Timing timing, PriceTable prices) {
        return build(requests, responses, timing, prices, false);
    }

    /**
     * @param tenantScopedIds join on tenant and request_id (API keys on: every response carries its
     *                        tenant), so one tenant's ids can never meet another's
     */
    public static Outputs build(DataStream<TelemetryEvent> requests, DataStream<TelemetryEvent> responses,
                                Timing timing, PriceTable prices, boolean tenantScopedIds) {
        SingleOutputStreamOperator<TelemetryEvent> validRequests = requests
                .process(new SplitRejected()).uid("split-rejected-requests").name("validate requests");
        SingleOutputStreamOperator<TelemetryEvent> validResponses = responses
                .process(new SplitRejected()).uid("split-rejected-responses").name("validate responses");

        SingleOutputStreamOperator<JoinedCall> calls = validRequests.connect(validResponses)
                .keyBy(joinKey(tenantScopedIds), joinKey(tenantScopedIds))
                .process(new RequestResponseJoin(timing.joinTimeout(), timing.allowedLateness(), timing.window()))
                .uid("join-requests-responses").name("join requests and responses");

        SingleOutputStreamOperator<MetricsRow> rows = calls
                .keyBy(new SeriesKey())
                .window(CallWindows.of(timing.window()))
                .allowedLateness(timing.allowedLateness())
                .sideOutputLateData(TOO_LATE)
                .aggregate(new CallAggregate(), new WindowRowEmitter(prices), WindowAccumulatorTypeInfo.INSTANCE,
                        WindowAccumulatorTypeInfo.INSTANCE, TypeInformation.of(MetricsRow.class))
                .uid("window-metrics").name("aggregate windows");

        DataStream<MetricsRow> hourly = rows
                .keyBy(new HourlyRollup.HourKey())
                .process(new HourlyRollup(timing.allowedLateness()))
                .uid("hourly-rollup").name("roll minutes up into hours");

        DataStream<LateEvent> late = rows.getSideOutput(TOO_LATE)
                .map(new CountLate("window closed beyond the allowed lateness"))
                .uid("late-for-window").name("late for their window")
                .union(calls.getSideOutput(RequestResponseJoin.LATE_RESPONSES)
                        .map(new CountLate("response arrived after its request had timed out"))
                        .uid("late-after-timeout").name("late after timeout"));

        DataStream<DeadLetter> deadLetters = validRequests.getSideOutput(REJECTED)
                .union(validResponses.getSideOutput(REJECTED), calls.getSideOutput(RequestResponseJoin.ORPHANS));

        return new Outputs(rows, hourly, deadLetters, late);
    }

    /** Passes valid events on and sends rejected ones, with their reason, to the dead letter. */
    static final class SplitRejected extends ProcessFunction<TelemetryEvent, TelemetryEvent> {
        private static final long serialVersionUID = 1L;
        private transient Counter rejected;

        @Override
        public void open(OpenContext openContext) {
            rejected = getRuntimeContext().getMetricGroup().counter("streamlens_dead_letters");
        }

        @Override
        public void processElement(TelemetryEvent event, Context ctx, Collector<TelemetryEvent> out) {
            if (event.isRejected()) {
                rejected.inc();
                ctx.output(REJECTED, new DeadLetter(event.sourceTopic, event.key, event.raw, event.reason));
            } else {
                out.collect(event);
            }
        }
    }

    /** Counts calls too late to count, and labels them with the reason. */
    static final class CountLate extends RichMapFunction<JoinedCall, LateEvent> {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private transient Counter late;

        CountLate(String reason) {
            this.reason = reason;
        }

        @Override
        public void open(OpenContext openContext) {
            late = getRuntimeContext().getMetricGroup().counter("streamlens_late_events");
        }

        @Override
        public LateEvent map(JoinedCall call) {
            late.inc();
            return new LateEvent(call, reason);
        }
    }
}
