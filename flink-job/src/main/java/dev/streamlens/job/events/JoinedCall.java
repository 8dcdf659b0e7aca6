package dev.streamlens.job.events;

/**
 * What the join emits for the windows: a completed call (a request joined with its response),
 * placed by the response's timestamp, or a timeout, placed at request time + join timeout.
 */
public class JoinedCall {

    public String requestId;
    public String tenantId;
    public String route;
    public String model;
    /** Where the call counts: the response timestamp, or the request's deadline for a timeout. */
    public long eventTime;
    public boolean timeout;
    /** A timeout taken back: its request's response arrived late, and the call counts instead. */
    public boolean retraction;
    public boolean failed;
    public double latencyMs;
    public long promptTokens;
    public long completionTokens;

    public JoinedCall() {
    }

    public static JoinedCall completed(TelemetryEvent request, TelemetryEvent response) {
        JoinedCall c = of(request);
        c.eventTime = response.timestamp;
        c.failed = response.failed;
        c.latencyMs = Double.isNaN(response.latencyMs)
                ? Math.max(0, response.timestamp - request.timestamp)
                : response.latencyMs;
        c.promptTokens = request.promptTokens;
        c.completionTokens = response.completionTokens;
        return c;
    }

    public static JoinedCall timedOut(TelemetryEvent request, long deadline) {
        JoinedCall c = of(request);
        c.eventTime = deadline;
        c.timeout = true;
        return c;
    }

    /** Takes back the timeout {@link #timedOut} counted at {@code deadline}. */
    public static JoinedCall timeoutRetracted(TelemetryEvent request, long deadline) {
        JoinedCall c = timedOut(request, deadline);
        c.retraction = true;
        return c;
    }

    private static JoinedCall of(TelemetryEvent request) {
        JoinedCall c = new JoinedCall();
        c.requestId = request.requestId;
        c.tenantId = request.tenantId;
        c.route = request.route;
        c.model = request.model;
        return c;
    }

    @Override
    public String toString() {
        return (retraction ? "RETRACTED-TIMEOUT(" : timeout ? "TIMEOUT(" : "CALL(") + requestId + " " + tenantId + "|" + route + "|" + model + " @"
                + eventTime + ")";
    }
}
