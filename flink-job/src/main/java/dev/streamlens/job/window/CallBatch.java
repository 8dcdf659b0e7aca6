package dev.streamlens.job.window;

import dev.streamlens.job.events.JoinedCall;

/**
 * Calls of one series and one window on their way to the window stage: either the totals of
 * several calls pre-aggregated by {@link CallPreAggregator}, or one call passed through on its own
 * (a call for a window that has already fired: a late revision, or too late for the window, whose
 * late-events record needs the call itself).
 */
public class CallBatch {

    public String tenantId;
    public String route;
    public String model;
    /** The instant the batch counts at: the event time of one of its calls, all in the same window. */
    public long eventTime;
    /** The pre-aggregated calls; null when the batch is {@link #single}. */
    public WindowAccumulator totals;
    /** The one call this batch stands for; null when it carries {@link #totals}. */
    public JoinedCall single;

    public CallBatch() {}

    /** A batch of one call, passed on as it is. */
    public static CallBatch of(JoinedCall call) {
        CallBatch batch = seriesOf(call);
        batch.single = call;
        return batch;
    }

    /** An empty batch for the series and window of this call, to add calls to. */
    static CallBatch collecting(JoinedCall call) {
        CallBatch batch = seriesOf(call);
        batch.totals = new WindowAccumulator();
        return batch;
    }

    /** Adds this batch's calls to a window's running totals. */
    void addTo(WindowAccumulator window) {
        if (single != null) {
            window.add(single);
        } else {
            window.merge(totals);
        }
    }

    /** The batch as one call record for the late-events output: its series, time and sums. */
    public JoinedCall summary() {
        if (single != null) {
            return single;
        }
        JoinedCall call = new JoinedCall();
        call.requestId = "(" + (totals.requests + totals.timeouts) + " pre-aggregated calls)";
        call.tenantId = tenantId;
        call.route = route;
        call.model = model;
        call.eventTime = eventTime;
        call.promptTokens = totals.promptTokens;
        call.completionTokens = totals.completionTokens;
        call.latencyMs = totals.latencySumMs;
        return call;
    }

    private static CallBatch seriesOf(JoinedCall call) {
        CallBatch batch = new CallBatch();
        batch.tenantId = call.tenantId;
        batch.route = call.route;
        batch.model = call.model;
        batch.eventTime = call.eventTime;
        return batch;
    }
}
