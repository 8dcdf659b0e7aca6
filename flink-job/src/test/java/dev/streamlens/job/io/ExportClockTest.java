package dev.streamlens.job.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Parquet export's {@code exported_at}: a burst of rows still gets an order (docs/RETENTION.md). */
class ExportClockTest {

    @Test
    void aBurstOfStampsNeverRepeatsOrStepsBackAndStaysNearTheClock() {
        long before = System.currentTimeMillis();
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 1000; i++) { // far more than one per millisecond
            long stamp = MetricsRowParquet.ExportClock.next();
            assertThat(stamp).isGreaterThan(previous).isGreaterThanOrEqualTo(before);
            previous = stamp;
        }
        assertThat(previous)
                .as("at most one ms ahead per stamp")
                .isLessThanOrEqualTo(System.currentTimeMillis() + 1000);
    }
}
