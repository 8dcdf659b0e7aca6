package dev.streamlens.query.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.query.alerts.StoreConsumerStatus.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The alerts store consumer's restart backoff and the state readiness reports. */
class StoreConsumerStatusTest {

    private final SteppedClock clock = new SteppedClock(Instant.parse("2026-05-01T10:00:00Z"));
    private final StoreConsumerStatus status =
            new StoreConsumerStatus(Duration.ofSeconds(1), Duration.ofSeconds(30), clock);

    @Test
    void startsUpAndStaysUpWhilePolling() {
        assertThat(status.snapshot().state()).isEqualTo(State.STARTING);
        assertThat(status.snapshot().state().up).isTrue();
        clock.advance(Duration.ofSeconds(1));
        status.polled();
        clock.advance(Duration.ofSeconds(5));
        status.polled();
        assertThat(status.snapshot())
                .isEqualTo(new StoreConsumerStatus.Snapshot(
                        State.POLLING, Instant.parse("2026-05-01T10:00:01Z"), 0, null));
    }

    @Test
    void failuresInARowWaitTwiceAsLongUpToTheMaximumAndAreDownSinceTheFirst() {
        status.polled();
        clock.advance(Duration.ofSeconds(2));
        Instant firstFailure = clock.instant();
        assertThat(status.failed(new IllegalStateException("one"))).isEqualTo(Duration.ofSeconds(1));
        for (long expected : new long[] {2, 4, 8, 16, 30, 30}) {
            clock.advance(Duration.ofSeconds(1));
            status.polled(); // a new consumer polls once, then fails again at once
            assertThat(status.snapshot().state().up).isTrue();
            assertThat(status.failed(new IllegalStateException("again"))).isEqualTo(Duration.ofSeconds(expected));
        }
        StoreConsumerStatus.Snapshot down = status.snapshot();
        assertThat(down.state()).isEqualTo(State.RESTARTING);
        assertThat(down.state().up).isFalse();
        assertThat(down.restarts()).isEqualTo(7);
        assertThat(down.lastError()).isEqualTo("java.lang.IllegalStateException: again");
        assertThat(down.since()).isAfter(firstFailure); // each failure after a poll starts a new down period

        // Two failures with no poll between (the new consumer failed before its first poll): still down since the
        // first.
        clock.advance(Duration.ofSeconds(30));
        Instant since = status.snapshot().since();
        status.failed(new IllegalStateException("before any poll"));
        assertThat(status.snapshot().since()).isEqualTo(since);
    }

    @Test
    void aConsumerThatPolledNormallyForTheLongestWaitStartsAgainAtTheFirstWait() {
        status.polled();
        assertThat(status.failed(new IllegalStateException())).isEqualTo(Duration.ofSeconds(1));
        status.polled();
        assertThat(status.failed(new IllegalStateException())).isEqualTo(Duration.ofSeconds(2));
        status.polled();
        clock.advance(Duration.ofSeconds(29));
        assertThat(status.failed(new IllegalStateException()))
                .as("healthy for less than 30 s")
                .isEqualTo(Duration.ofSeconds(4));
        status.polled();
        clock.advance(Duration.ofSeconds(30));
        status.polled();
        assertThat(status.failed(new IllegalStateException()))
                .as("healthy for 30 s")
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(status.snapshot().restarts()).isEqualTo(4);
    }

    @Test
    void anErrorThatEndsTheThreadIsDownForGood() {
        status.polled();
        status.stopped(new OutOfMemoryError("Java heap space"));
        assertThat(status.snapshot().state()).isEqualTo(State.STOPPED);
        assertThat(status.snapshot().state().up).isFalse();
        assertThat(status.snapshot().lastError()).isEqualTo("java.lang.OutOfMemoryError: Java heap space");
    }

    private static final class SteppedClock extends Clock {

        private Instant now;

        SteppedClock(Instant now) {
            this.now = now;
        }

        void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
