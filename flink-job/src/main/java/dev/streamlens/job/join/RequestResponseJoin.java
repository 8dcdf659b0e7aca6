package dev.streamlens.job.join;

import dev.streamlens.job.events.DeadLetter;
import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.time.TimingGuard;
import dev.streamlens.job.time.WindowMath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Joins a request and its response, keyed by request_id, in event time — whichever arrives
 * first (rules 1, 2 and 4 of docs/DESIGN.md#what-the-numbers-mean):
 * <ul>
 *   <li>a response joins when its timestamp lies in [request − 5 s, request + join timeout];</li>
 *   <li>a repeated request or response is counted once;</li>
 *   <li>a request still waiting when the watermark passes its deadline (request + join timeout)
 *       becomes a timeout at that instant;</li>
 *   <li>a response that arrived first waits for its request as long as a late request could still
 *       find it: while the response's window may be revised the pair counts there, later it goes
 *       to the late events (the window operator decides); only a response no request claimed by
 *       then is an orphan — counted and dead-lettered, never also a timeout;</li>
 *   <li>a response for a request that already timed out takes the timeout back and counts as the
 *       call it was, as long as the timeout's window may still be revised; after that it is late:
 *       counted and sent to the late-events output (the timeout stands);</li>
 *   <li>with API keys on, a response carries its tenant and joins only a request of that tenant.</li>
 * </ul>
 * State for a request_id is removed once it can no longer change any output: when the window
 * that would count a repeated request's timeout is closed for good (end of the deadline's window
 * plus allowed lateness), or, for an unclaimed response, at its orphan deadline.
 */
public class RequestResponseJoin extends KeyedCoProcessFunction<String, TelemetryEvent, TelemetryEvent, JoinedCall>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    /** Responses of this many tenants may wait for one request_id; a further tenant's is refused. */
    static final int MAX_WAITING_RESPONSES = 4;

    /** A response may carry a timestamp up to this much before its request (clock skew). */
    public static final Duration EARLY_RESPONSE_TOLERANCE = Duration.ofSeconds(5);

    public static final OutputTag<DeadLetter> ORPHANS = new OutputTag<>("orphan-responses") {};
    public static final OutputTag<JoinedCall> LATE_RESPONSES = new OutputTag<>("responses-after-timeout") {};

    private final Duration joinTimeout;
    private final Duration allowedLateness;
    private final Duration window;
    private final long joinTimeoutMs;
    private final long allowedLatenessMs;
    private final long windowMs;
    private final long earlyToleranceMs = EARLY_RESPONSE_TOLERANCE.toMillis();

    private transient ValueState<PairState> pairs;
    private transient Counter duplicates;
    private transient Counter orphans;
    private transient Counter lateResponses;
    private transient Counter timeouts;
    private transient Counter retractedTimeouts;
    private transient Counter joined;

    public RequestResponseJoin(Duration joinTimeout, Duration allowedLateness, Duration window) {
        this.joinTimeout = joinTimeout;
        this.allowedLateness = allowedLateness;
        this.window = window;
        this.joinTimeoutMs = joinTimeout.toMillis();
        this.allowedLatenessMs = allowedLateness.toMillis();
        this.windowMs = window.toMillis();
    }

    /** The key of the join: request_id, or the tenant and request_id (which no two tenants can share). */
    public static String key(TelemetryEvent event, boolean tenantScopedIds) {
        if (!tenantScopedIds) {
            return event.requestId;
        }
        // The tenant's length first: "a" + "b|r1" and "a|b" + "r1" must not meet.
        String tenant = event.tenantId == null ? "" : event.tenantId;
        return tenant.length() + ":" + tenant + "|" + event.requestId;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        TimingGuard.check(context, window, allowedLateness);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // The timing guard's state never changes after initializeState.
    }

    @Override
    public void open(OpenContext openContext) {
        pairs = getRuntimeContext().getState(new ValueStateDescriptor<>("pair", PairStateSerializer.INSTANCE));
        var metrics = getRuntimeContext().getMetricGroup();
        duplicates = metrics.counter("streamlens_duplicate_events");
        orphans = metrics.counter("streamlens_orphan_responses");
        lateResponses = metrics.counter("streamlens_late_responses_after_timeout");
        timeouts = metrics.counter("streamlens_timeouts");
        retractedTimeouts = metrics.counter("streamlens_retracted_timeouts");
        joined = metrics.counter("streamlens_joined_calls");
    }

    @Override
    public void processElement1(TelemetryEvent request, Context ctx, Collector<JoinedCall> out) throws Exception {
        PairState pair = pairs.value();
        if (pair == null) {
            pair = new PairState();
        } else if (pair.hasRequest()) {
            duplicates.inc();
            return;
        }
        pair.request = request;
        pair.requestTimestamp = request.timestamp;
        pair.deadline = request.timestamp + joinTimeoutMs;

        // The first waiting response that may join does; the others (another tenant's, or outside the interval) are
        // refused.
        TelemetryEvent[] waiting = pair.pendingResponses == null ? new TelemetryEvent[0] : pair.pendingResponses;
        pair.pendingResponses = null;
        for (TelemetryEvent response : waiting) {
            String mismatch = mismatch(request, response);
            if (mismatch == null && pair.status == PairState.Status.WAITING) {
                out.collect(JoinedCall.completed(request, response));
                markJoined(pair);
            } else if (mismatch != null) {
                refuse(ctx, pair, response, mismatch);
            } else {
                duplicates.inc();
            }
        }
        ctx.timerService()
                .registerEventTimeTimer(pair.status == PairState.Status.JOINED ? cleanupTime(pair) : deadline(pair));
        pairs.update(pair);
    }

    @Override
    public void processElement2(TelemetryEvent response, Context ctx, Collector<JoinedCall> out) throws Exception {
        PairState pair = pairs.value();
        if (pair == null) {
            pair = new PairState();
        }
        if (!pair.hasRequest()) {
            TelemetryEvent[] waiting = pair.pendingResponses == null ? new TelemetryEvent[0] : pair.pendingResponses;
            for (TelemetryEvent earlier : waiting) {
                if (Objects.equals(earlier.tenantId, response.tenantId)) {
                    duplicates.inc();
                    return;
                }
            }
            if (waiting.length >= MAX_WAITING_RESPONSES) {
                orphan(
                        ctx,
                        response,
                        "responses of more than " + MAX_WAITING_RESPONSES + " tenants wait for this request_id");
                return;
            }
            pair.pendingResponses = Arrays.copyOf(waiting, waiting.length + 1);
            pair.pendingResponses[waiting.length] = response;
            ctx.timerService().registerEventTimeTimer(orphanDeadline(response));
            pairs.update(pair);
            return;
        }
        if (pair.status == PairState.Status.JOINED
                || (response.timestamp == pair.refusedResponseTimestamp
                        && Objects.equals(response.tenantId, pair.refusedResponseTenant))) {
            duplicates.inc();
            return;
        }
        String mismatch = mismatch(pair.request, response);
        if (mismatch != null) {
            refuse(ctx, pair, response, mismatch);
        } else if (pair.status == PairState.Status.TIMED_OUT && mayRevise(ctx, deadline(pair))) {
            // By event time the request had its response: the timeout is taken back (a revision of its
            // window) and the call counts (or, if its own window is closed for good, goes to the late
            // events): a late pair sent after a retry is never a timeout it did not have.
            out.collect(JoinedCall.timeoutRetracted(pair.request, deadline(pair)));
            out.collect(JoinedCall.completed(pair.request, response));
            retractedTimeouts.inc();
            markJoined(pair);
        } else if (pair.status == PairState.Status.TIMED_OUT) {
            // It would have joined, but its request's timeout lies in a window closed for good.
            lateResponses.inc();
            pair.refusedResponseTimestamp = response.timestamp;
            pair.refusedResponseTenant = response.tenantId;
            ctx.output(LATE_RESPONSES, JoinedCall.completed(pair.request, response));
        } else {
            out.collect(JoinedCall.completed(pair.request, response));
            markJoined(pair);
            // No timeout can follow: go straight to the cleanup timer (heap timers cost no state access).
            ctx.timerService().deleteEventTimeTimer(deadline(pair));
            ctx.timerService().registerEventTimeTimer(cleanupTime(pair));
        }
        pairs.update(pair);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<JoinedCall> out) throws Exception {
        PairState pair = pairs.value();
        if (pair == null) {
            return;
        }
        if (!pair.hasRequest()) {
            // Only an orphan timer can find no request: these responses no request claimed in time.
            List<TelemetryEvent> stillWaiting = new ArrayList<>();
            for (TelemetryEvent response :
                    pair.pendingResponses == null ? new TelemetryEvent[0] : pair.pendingResponses) {
                if (timestamp >= orphanDeadline(response)) {
                    orphan(ctx, response, "no request with this request_id within the join interval");
                } else {
                    stillWaiting.add(response);
                    // Its own timer (again: a timer set under another join timeout may have fired early).
                    ctx.timerService().registerEventTimeTimer(orphanDeadline(response));
                }
            }
            if (stillWaiting.isEmpty()) {
                pairs.clear();
            } else {
                pair.pendingResponses = stillWaiting.toArray(new TelemetryEvent[0]);
                pairs.update(pair);
            }
            return;
        }
        long deadline = deadline(pair);
        if (pair.status == PairState.Status.WAITING) {
            if (timestamp < deadline) {
                // A timer set under another join timeout: keep the request's own deadline.
                ctx.timerService().registerEventTimeTimer(deadline);
                return;
            }
            out.collect(JoinedCall.timedOut(pair.request, deadline));
            timeouts.inc();
            pair.status = PairState.Status.TIMED_OUT;
            pairs.update(pair);
        }
        if (timestamp >= cleanupTime(pair)) {
            pairs.clear();
        } else {
            ctx.timerService().registerEventTimeTimer(cleanupTime(pair));
        }
    }

    /**
     * Whether the window of this instant may still be revised: the window operator, downstream, sees
     * at most this watermark, so it will not find the window closed for good either.
     */
    private boolean mayRevise(Context ctx, long eventTime) {
        return WindowMath.windowEnd(eventTime, windowMs) - 1 + allowedLatenessMs
                > ctx.timerService().currentWatermark();
    }

    /** Null when the response may join the request, else why it may not. */
    private String mismatch(TelemetryEvent request, TelemetryEvent response) {
        if (response.tenantId != null && !Objects.equals(response.tenantId, request.tenantId)) {
            return "response tenant does not match the request's tenant";
        }
        long offset = response.timestamp - request.timestamp;
        if (offset < -earlyToleranceMs || offset > joinTimeoutMs) {
            return "response timestamp " + Instant.ofEpochMilli(response.timestamp)
                    + " lies outside the join interval of its request at " + Instant.ofEpochMilli(request.timestamp);
        }
        return null;
    }

    /** Dead-letters a response that may not join this request, remembering it to recognise retries. */
    private void refuse(Context ctx, PairState pair, TelemetryEvent response, String reason) {
        pair.refusedResponseTimestamp = response.timestamp;
        pair.refusedResponseTenant = response.tenantId;
        orphan(ctx, response, reason);
    }

    private void markJoined(PairState pair) {
        joined.inc();
        pair.status = PairState.Status.JOINED;
        pair.request = null;
    }

    private void orphan(Context ctx, TelemetryEvent response, String reason) {
        orphans.inc();
        ctx.output(
                ORPHANS,
                new DeadLetter(
                        dev.streamlens.model.Topics.RESPONSES,
                        response.requestId.getBytes(StandardCharsets.UTF_8),
                        OrphanJson.of(response),
                        "orphan response: " + reason));
    }

    private long deadline(PairState pair) {
        return pair.deadline != Long.MIN_VALUE ? pair.deadline : pair.requestTimestamp + joinTimeoutMs;
    }

    /** A repeated request after this instant could only produce a timeout in a window closed for good. */
    private long cleanupTime(PairState pair) {
        return WindowMath.windowEnd(deadline(pair), windowMs) + allowedLatenessMs;
    }

    /**
     * How long a response waits for its request: until a matching request (stamped at most
     * response + 5 s) could only time out in a window closed for good. Until its own window is
     * closed for good, a late request makes the pair count there; after that, the pair goes to
     * the late events — either way never an orphan plus a timeout the request did not have.
     */
    private long orphanDeadline(TelemetryEvent response) {
        return WindowMath.windowEnd(response.timestamp + earlyToleranceMs + joinTimeoutMs, windowMs)
                + allowedLatenessMs;
    }
}
