package dev.streamlens.job.events;

/** A call that arrived too late to change its window, on its way to the late-events topic. */
public class LateEvent {

    public JoinedCall call;
    public String reason;

    public LateEvent() {}

    public LateEvent(JoinedCall call, String reason) {
        this.call = call;
        this.reason = reason;
    }
}
