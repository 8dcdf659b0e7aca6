package dev.streamlens.query.alerts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What the alerts store's consumer is doing, for readiness, and how long it waits before its next
 * restart: the first wait after a failure is {@code backoff}, each further one twice the last, up
 * to {@code maxBackoff}. A consumer that polled normally for {@code maxBackoff} has recovered: its
 * next failure starts again at {@code backoff}.
 */
final class StoreConsumerStatus {

    enum State {
        /** Started; no poll has returned yet. */
        STARTING(true),
        POLLING(true),
        /** Failed; a new consumer is made after the backoff. */
        RESTARTING(false),
        /** Ended by an error that is not restarted (the JVM's own, such as OutOfMemoryError). */
        STOPPED(false);

        final boolean up;

        State(boolean up) {
            this.up = up;
        }
    }

    /** A consistent view for the health check; {@code since} is when {@code state} began. */
    record Snapshot(State state, Instant since, long restarts, String lastError) {}

    private final Duration backoff;
    private final Duration maxBackoff;
    private final Clock clock;

    private State state = State.STARTING;
    private Instant since;
    private long restarts;
    private String lastError;
    private Duration nextBackoff;

    StoreConsumerStatus(Duration backoff, Duration maxBackoff, Clock clock) {
        this.backoff = backoff;
        this.maxBackoff = maxBackoff.compareTo(backoff) < 0 ? backoff : maxBackoff;
        this.clock = clock;
        this.since = clock.instant();
        this.nextBackoff = backoff;
    }

    /** A poll returned: the consumer works (again). Called on every poll, so cheap when nothing changes. */
    synchronized void polled() {
        if (state != State.POLLING) {
            state = State.POLLING;
            since = clock.instant();
        }
    }

    /** The consumer failed and is to be made again: returns how long to wait first. */
    synchronized Duration failed(Throwable error) {
        Instant now = clock.instant();
        if (state == State.POLLING && !now.isBefore(since.plus(maxBackoff))) {
            nextBackoff = backoff; // healthy long enough: this is a new failure, not the next of a series
        }
        Duration wait = nextBackoff;
        nextBackoff = nextBackoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : nextBackoff.multipliedBy(2);
        if (state != State.RESTARTING) {
            since = now; // not ready since the first failure of a series
        }
        state = State.RESTARTING;
        restarts++;
        lastError = error.toString();
        return wait;
    }

    /** The consumer's thread ended with an error it does not restart after. */
    synchronized void stopped(Throwable error) {
        state = State.STOPPED;
        since = clock.instant();
        lastError = error.toString();
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(state, since, restarts, lastError);
    }
}
