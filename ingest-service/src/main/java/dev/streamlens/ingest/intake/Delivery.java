package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.admission.RateLimitDecision;

/**
 * What became of checked events handed to {@link EventIntake#deliver}: refused by the rate limit
 * (nothing written), or which of them Kafka acknowledged, in the order they were given.
 */
public record Delivery(RateLimitDecision refusal, boolean[] written) {

    static Delivery refused(RateLimitDecision refusal) {
        return new Delivery(refusal, new boolean[0]);
    }

    static Delivery written(boolean[] written) {
        return new Delivery(null, written);
    }

    public boolean admitted() {
        return refusal == null;
    }

    /** Admitted, and every event acknowledged by Kafka. */
    public boolean allWritten() {
        if (!admitted()) {
            return false;
        }
        for (boolean one : written) {
            if (!one) {
                return false;
            }
        }
        return true;
    }
}
