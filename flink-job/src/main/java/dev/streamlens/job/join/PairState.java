package dev.streamlens.job.join;

import dev.streamlens.job.events.TelemetryEvent;

/**
 * Everything the join keeps for one request_id, in one state value so each event costs one read
 * and at most one write. Stored by {@link PairStateSerializer}: a field added here needs a new
 * version of its format (its flag byte is full), and state of the old version must still read.
 */
public class PairState {

    public enum Status {
        WAITING,
        JOINED,
        TIMED_OUT
    }

    /** WAITING until the pair is emitted or the request times out. */
    public Status status = Status.WAITING;
    /** The request, while it waits for its response; dropped once joined to keep the state small. */
    public TelemetryEvent request;
    /** Event time of the request, kept after the request itself is dropped (Long.MIN_VALUE: none yet). */
    public long requestTimestamp = Long.MIN_VALUE;
    /**
     * When the request times out: its timestamp plus the join timeout in force when it arrived, so
     * a job restored with another timeout keeps the deadlines (and timers) it already promised
     * (Long.MIN_VALUE in state written before deadlines were kept: then computed from the timeout).
     */
    public long deadline = Long.MIN_VALUE;
    /**
     * Responses that arrived before their request, at most one per tenant they carry (null when
     * none): with API keys on, another tenant's response for this request_id must not take the
     * place of the genuine one.
     */
    public TelemetryEvent[] pendingResponses;
    /** The last response refused for this request (time and tenant), so its retries are not dead-lettered twice. */
    public long refusedResponseTimestamp = Long.MIN_VALUE;

    public String refusedResponseTenant;

    public PairState() {}

    public boolean hasRequest() {
        return requestTimestamp != Long.MIN_VALUE;
    }
}
