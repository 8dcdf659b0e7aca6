package dev.streamlens.ingest.admission;

import dev.streamlens.access.AccessControl;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.ValidatedEvent;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per-tenant token buckets (bucket4j): a tenant may send its rate in events per second, with
 * bursts of up to two seconds' worth. The rate is the key's {@code events_per_second} from the
 * API keys file, or {@code streamlens.ingest.rate-limit-events-per-second}. With keys off the
 * tenant is the event's own tenant_id, so the buckets kept are bounded (least recently used go).
 * It only decides; the adapter (IngestAnswers#rateLimited) words a refusal
 * (README.md#access-api-keys-tenants-rate-limits).
 */
@ApplicationScoped
public class TenantRateLimits {

    private static final int MAX_TENANTS = 10_000;

    @Inject
    IngestSettings settings;

    @Inject
    AccessControl access;

    @Inject
    IngestMetrics metrics;

    /** A tenant's bucket and the rate it was built for (rebuilt when the keys file changes the rate). */
    private record Limit(Bucket bucket, long rate) {}

    private final Map<String, Limit> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Limit> eldest) {
            return size() > MAX_TENANTS;
        }
    };

    /**
     * Lets the events through, each counted against its tenant's limit, or says why not. All or
     * nothing: refused for one tenant, what was taken for the others is given back. Events
     * without a tenant are not limited.
     */
    public RateLimitDecision admit(List<ValidatedEvent> events) {
        Map<String, Integer> taken = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> tenant : eventsPerTenant(events).entrySet()) {
            RateLimitDecision decision = admit(tenant.getKey(), tenant.getValue());
            if (!decision.admitted()) {
                taken.forEach(this::giveBack);
                return decision;
            }
            taken.put(tenant.getKey(), tenant.getValue());
        }
        return RateLimitDecision.ADMITTED;
    }

    private static Map<String, Integer> eventsPerTenant(List<ValidatedEvent> events) {
        Map<String, Integer> perTenant = new LinkedHashMap<>();
        events.stream().filter(e -> e.tenant() != null).forEach(e -> perTenant.merge(e.tenant(), 1, Integer::sum));
        return perTenant;
    }

    /**
     * Lets {@code events} of a tenant through, or says why not: over its rate when its bucket is
     * short now, over its burst when they are more than the bucket can ever hold. Refusals are counted.
     */
    RateLimitDecision admit(String tenant, int events) {
        long burst = burstOf(tenant);
        if (burst > 0 && events > burst) {
            metrics.rateLimited(tenant, events);
            return RateLimitDecision.overBurst("holds " + events + " events of tenant " + tenant
                    + ", more than its limit lets through at once (" + burst + "): send smaller batches");
        }
        OptionalLong wait = tryTake(tenant, events);
        if (wait.isEmpty()) {
            return RateLimitDecision.ADMITTED;
        }
        metrics.rateLimited(tenant, events);
        int retryAfterSeconds = retryAfterSeconds(wait.getAsLong());
        return RateLimitDecision.overRate(
                "tenant " + tenant + " is over its limit of " + rateOf(tenant) + " events per second: retry after "
                        + retryAfterSeconds + " s",
                retryAfterSeconds);
    }

    /** Takes {@code events} from the tenant's bucket; empty when allowed, else how long to wait. */
    OptionalLong tryTake(String tenant, int events) {
        long rate = rateOf(tenant);
        if (rate <= 0) {
            return OptionalLong.empty();
        }
        Limit limit;
        synchronized (buckets) {
            limit = buckets.get(tenant);
            if (limit == null || limit.rate() != rate) {
                limit = new Limit(
                        Bucket.builder()
                                .addLimit(Bandwidth.builder()
                                        .capacity(burstFor(rate))
                                        .refillGreedy(rate, Duration.ofSeconds(1))
                                        .build())
                                .build(),
                        rate);
                buckets.put(tenant, limit);
            }
        }
        ConsumptionProbe probe = limit.bucket().tryConsumeAndReturnRemaining(events);
        return probe.isConsumed() ? OptionalLong.empty() : OptionalLong.of(probe.getNanosToWaitForRefill());
    }

    /** The most events a tenant can send at once (two seconds' worth); 0 when unlimited. */
    public long burstOf(String tenant) {
        long rate = rateOf(tenant);
        return rate <= 0 ? 0 : burstFor(rate);
    }

    private static long burstFor(long rate) {
        return 2 * rate;
    }

    /** Gives back what {@link #tryTake} took, when the call is refused for another tenant's limit. */
    void giveBack(String tenant, int events) {
        synchronized (buckets) {
            Limit limit = buckets.get(tenant);
            if (limit != null) {
                limit.bucket().addTokens(events);
            }
        }
    }

    /** Events per second allowed to the tenant. */
    public long rateOf(String tenant) {
        return access.keys().flatMap(keys -> keys.eventsPerSecond(tenant)).orElse(settings.rateLimitEventsPerSecond());
    }

    private static int retryAfterSeconds(long waitNanos) {
        return (int) Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }
}
