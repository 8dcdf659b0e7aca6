package dev.streamlens.ingest.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.access.AccessControl;
import dev.streamlens.ingest.EventType;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.ValidatedEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rate limits only decide; the answers to their refusals are IngestAnswers' (see IngestAnswersTest). */
class TenantRateLimitsTest {

    private final TenantRateLimits limits = limitsOf(5); // bursts of 10

    @Test
    void eventsWithinTheBurstAreAdmittedAndBeyondItRefusedWithARetryAfter() {
        assertThat(limits.admit(events("acme", 10)).admitted()).isTrue();
        RateLimitDecision refused = limits.admit(events("acme", 1));
        assertThat(refused.refusal()).isEqualTo(RateLimitDecision.Refusal.OVER_RATE);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(refused.reason()).isEqualTo("tenant acme is over its limit of 5 events per second: retry after 1 s");
    }

    @Test
    void moreEventsThanTheBucketCanEverHoldAreRefusedWithoutWaiting() {
        RateLimitDecision refused = limits.admit(events("acme", 11));
        assertThat(refused.refusal()).isEqualTo(RateLimitDecision.Refusal.OVER_BURST);
        assertThat(refused.reason())
                .isEqualTo(
                        "holds 11 events of tenant acme, more than its limit lets through at once (10): send smaller batches");
    }

    @Test
    void aRefusalForOneTenantGivesBackWhatWasTakenForTheOthers() {
        List<ValidatedEvent> batch = new ArrayList<>(events("acme", 4));
        batch.addAll(events("globex", 11));
        assertThat(limits.admit(batch).refusal()).isEqualTo(RateLimitDecision.Refusal.OVER_BURST);
        assertThat(limits.admit(events("acme", 10)).admitted())
                .as("acme's 4 were given back")
                .isTrue();
    }

    @Test
    void eventsWithoutATenantAndTenantsWithoutALimitAreNotLimited() {
        assertThat(limits.admit(events(null, 50)).admitted()).isTrue();
        TenantRateLimits unlimited = limitsOf(0);
        assertThat(unlimited.admit(events("acme", 5000)).admitted()).isTrue();
    }

    private static List<ValidatedEvent> events(String tenant, int count) {
        List<ValidatedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(new ValidatedEvent(EventType.REQUEST, "r" + i, new byte[0], tenant));
        }
        return events;
    }

    private static TenantRateLimits limitsOf(long eventsPerSecond) {
        TenantRateLimits limits = new TenantRateLimits();
        // The service's real settings mapping, with its defaults, and only the rate set.
        limits.settings = new SmallRyeConfigBuilder()
                .withMapping(IngestSettings.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValue("streamlens.ingest.rate-limit-events-per-second", Long.toString(eventsPerSecond))
                .build()
                .getConfigMapping(IngestSettings.class);
        limits.access = new AccessControl(); // keys off: no per-key limits
        limits.metrics = IngestMetrics.in(new SimpleMeterRegistry());
        return limits;
    }
}
