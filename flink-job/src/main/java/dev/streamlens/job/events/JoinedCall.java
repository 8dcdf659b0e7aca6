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
    /** Who served the call, as its request named it (null: not named). */
    public String provider;
    /** The application's end user and session, as its request named them (null: not named). */
    public String userId;

    public String sessionId;
    /** The values of the tenant's declared tag keys, ids {@code key=value} (null: it declared none). */
    public String[] tags;
    /** Where the call counts: the response timestamp, or the request's deadline for a timeout. */
    public long eventTime;

    public boolean timeout;
    /** A timeout taken back: its request's response arrived late, and the call counts instead. */
    public boolean retraction;

    public boolean failed;
    public double latencyMs;
    public long promptTokens;
    public long completionTokens;
    /** Parts of {@link #promptTokens}, never more than it together. */
    public long cachedPromptTokens;

    public long cacheWriteTokens;
    /** Part of {@link #completionTokens}. */
    public long reasoningTokens;
    /** NaN when the call was not streamed; never more than the latency. */
    public double timeToFirstTokenMs = Double.NaN;
    /** Its output stopped at the token limit (the response's finish reason). */
    public boolean truncated;

    // Set by the pricing step after the join (job/pricing/PriceCalls).
    /** Whether a price was found for the call's model; a timeout is never priced. */
    public boolean priced;
    /** What the call cost, in pico-dollars (USD × 10^12), at the prices in force at {@link #eventTime}. */
    public long costPicoDollars;
    /** The version of the prices the call was priced with (0: as the job was started). */
    public long priceVersion;

    public JoinedCall() {}

    public static JoinedCall completed(TelemetryEvent request, TelemetryEvent response) {
        JoinedCall c = of(request);
        c.eventTime = response.timestamp;
        c.failed = response.failed;
        c.latencyMs = Double.isNaN(response.latencyMs)
                ? Math.max(0, response.timestamp - request.timestamp)
                : response.latencyMs;
        c.promptTokens = request.promptTokens;
        c.completionTokens = response.completionTokens;
        // The cache counts arrive with the response, the prompt total with the request: a client that
        // reports more cached tokens than prompt tokens is believed up to the prompt total, so the
        // uncached rest is never negative (docs/DESIGN.md#what-the-numbers-mean, rule 6).
        c.cachedPromptTokens = Math.min(response.cachedPromptTokens, c.promptTokens);
        c.cacheWriteTokens = Math.min(response.cacheWriteTokens, c.promptTokens - c.cachedPromptTokens);
        c.reasoningTokens = Math.min(response.reasoningTokens, c.completionTokens);
        c.truncated = response.truncated;
        c.timeToFirstTokenMs = Double.isNaN(response.timeToFirstTokenMs)
                ? Double.NaN
                : Math.min(response.timeToFirstTokenMs, c.latencyMs);
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
        c.provider = request.provider;
        c.userId = request.userId;
        c.sessionId = request.sessionId;
        c.tags = request.tags;
        return c;
    }

    @Override
    public String toString() {
        return (retraction ? "RETRACTED-TIMEOUT(" : timeout ? "TIMEOUT(" : "CALL(") + requestId + " " + tenantId + "|"
                + route + "|" + model + " @" + eventTime + ")";
    }
}
