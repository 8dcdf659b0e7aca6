package dev.streamlens.job.alerts;

/**
 * Where one alert stands (per rule; per rule and model for unpriced_model rules): the state machine
 * of docs/ALERTS.md. {@code OK} → {@code PENDING} while the condition holds for less than
 * {@code for}; {@code FIRING} once it has held that long (one firing transition);
 * {@code RESOLVING} while it is clear for less than the resolve delay (holding again returns to
 * FIRING without a second firing); back to {@code OK} with one resolved transition.
 */
public class AlertInstance {

    public enum Status {
        OK,
        PENDING,
        FIRING,
        RESOLVING
    }

    public Status status = Status.OK;
    /** PENDING: since when the condition holds; RESOLVING: since when it is clear (event time, ms). */
    public long since;
    /** The current (or last) episode's firing time, event time in ms. */
    public long firedAt;
    /** Episodes fired so far. */
    public long episodes;

    public AlertInstance() {}

    boolean isActive() {
        return status == Status.FIRING || status == Status.RESOLVING;
    }
}
