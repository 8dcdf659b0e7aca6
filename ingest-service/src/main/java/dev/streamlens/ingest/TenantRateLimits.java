package dev.streamlens.ingest;

import dev.streamlens.access.AccessControl;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Per-tenant token buckets (bucket4j): a tenant may send its rate in events per second, with
 * bursts of up to two seconds' worth. The rate is the key's {@code events_per_second} from the
 * API keys file, or {@code streamlens.ingest.rate-limit-events-per-second}. With keys off the
 * tenant is the event's own tenant_id, so the buckets kept are bounded (least recently used go).
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
    private record Limit(Bucket bucket, long rate) {
    }

    private final Map<String, Limit> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Limit> eldest) {
            return size() > MAX_TENANTS;
        }
    };

    /**
     * Lets {@code events} of a tenant through, or answers why not: 429 with Retry-After when its
     * bucket is short, 413 when they are more than the bucket can ever hold. Refusals are counted.
     */
    public Optional<Response> admit(String tenant, int events) {
        long burst = burstOf(tenant);
        if (burst > 0 && events > burst) {
            metrics.rateLimited(tenant, events);
            return Optional.of(Answers.rejected(Response.Status.REQUEST_ENTITY_TOO_LARGE, "body", "holds " + events
                    + " events of tenant " + tenant + ", more than its limit lets through at once (" + burst
                    + "): send smaller batches"));
        }
        OptionalLong wait = tryTake(tenant, events);
        if (wait.isEmpty()) {
            return Optional.empty();
        }
        metrics.rateLimited(tenant, events);
        return Optional.of(Answers.rateLimited(retryAfterSeconds(wait.getAsLong()), tenant, rateOf(tenant)));
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
                limit = new Limit(Bucket.builder().addLimit(Bandwidth.builder().capacity(burstFor(rate))
                        .refillGreedy(rate, Duration.ofSeconds(1)).build()).build(), rate);
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
    public void giveBack(String tenant, int events) {
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
