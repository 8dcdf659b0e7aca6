package dev.streamlens.query.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Which windows have fired and which are final, from the job's watermark, as Flink decides them:
 * a window [start, end) fires when the watermark reaches end - 1 ms, and drops late events once
 * it reaches end - 1 ms + allowed lateness.
 */
class FreshnessTest {

    private static final long MINUTE = 60_000;
    private static final Instant T = Instant.parse("2026-11-29T12:41:00Z");

    @Test
    void aWindowHasFiredWhenTheWatermarkReachesItsLastMillisecond() {
        Freshness justBefore = at(T.toEpochMilli() - 2, 2 * MINUTE);
        Freshness atLast = at(T.toEpochMilli() - 1, 2 * MINUTE);
        assertThat(justBefore.windowsClosedUntil()).isEqualTo(T.minusSeconds(60));
        assertThat(atLast.windowsClosedUntil()).isEqualTo(T);
        assertThat(at(T.toEpochMilli() + 59_000, 0).windowsClosedUntil()).isEqualTo(T);
    }

    @Test
    void aWindowIsFinalOnceTheAllowedLatenessHasPassedToo() {
        long lateness = 2 * MINUTE;
        Instant end = T;
        Freshness notYet = at(end.toEpochMilli() - 1 + lateness - 1, lateness);
        Freshness now = at(end.toEpochMilli() - 1 + lateness, lateness);
        assertThat(notYet.isFinal(end)).isFalse();
        assertThat(now.isFinal(end)).isTrue();
        assertThat(now.finalUntil()).isEqualTo(end);
        assertThat(notYet.finalUntil()).isEqualTo(end.minusSeconds(60));
        // every window the flag calls final lies at or before final_until
        assertThat(now.isFinal(end.plusSeconds(60))).isFalse();
    }

    @Test
    void theEndOfInputMakesEverythingFinalWithoutOverflow() {
        Freshness ended = at(Long.MAX_VALUE, MINUTE);
        assertThat(ended.isFinal(T)).isTrue();
        assertThat(ended.finalUntil()).isAfter(T);
        assertThat(ended.windowsClosedUntil()).isAfter(T);
    }

    @Test
    void itIsAnsweredWithTimesAndSecondsNotRawMilliseconds() throws Exception {
        ObjectMapper json =
                new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        JsonNode answer = json.valueToTree(at(T.toEpochMilli() + 30_000 - 1, MINUTE));
        assertThat(answer.get("watermark").asText()).isEqualTo("2026-11-29T12:41:29.999Z");
        assertThat(answer.get("windows_closed_until").asText()).isEqualTo("2026-11-29T12:41:00Z");
        assertThat(answer.get("final_until").asText()).isEqualTo("2026-11-29T12:40:00Z");
        assertThat(answer.get("window_seconds").asLong()).isEqualTo(60);
        assertThat(answer.get("allowed_lateness_seconds").asLong()).isEqualTo(60);
        assertThat(answer.has("updated_at")).isTrue();
        assertThat(answer.has("watermarkMs")).isFalse();
    }

    private static Freshness at(long watermark, long lateness) {
        return new Freshness(watermark, MINUTE, lateness, Instant.parse("2026-11-29T12:42:00Z"));
    }
}
