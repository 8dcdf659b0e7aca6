package dev.streamlens.ingest;

import dev.streamlens.access.AccessControl;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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

    private final Map<String, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_TENANTS;
        }
    };

    /** Takes {@code events} from the tenant's bucket; empty when allowed, else how long to wait. */
    public OptionalLong tryTake(String tenant, int events) {
        long rate = rateOf(tenant);
        if (rate <= 0) {
            return OptionalLong.empty();
        }
        Bucket bucket;
        synchronized (buckets) {
            bucket = buckets.computeIfAbsent(tenant, t -> Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(2 * rate).refillGreedy(rate, Duration.ofSeconds(1)).build())
                    .build());
        }
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(events);
        if (probe.isConsumed()) {
            return OptionalLong.empty();
        }
        // More than a full bucket can never pass at once: ask for the wait of a full refill.
        long wait = events > 2 * rate ? Duration.ofSeconds(2).toNanos() : probe.getNanosToWaitForRefill();
        return OptionalLong.of(wait);
    }

    /** Gives back what {@link #tryTake} took, when the call is refused for another tenant's limit. */
    public void giveBack(String tenant, int events) {
        synchronized (buckets) {
            Bucket bucket = buckets.get(tenant);
            if (bucket != null) {
                bucket.addTokens(events);
            }
        }
    }

    /** Events per second allowed to the tenant. */
    public long rateOf(String tenant) {
        return access.keys().flatMap(keys -> keys.eventsPerSecond(tenant)).orElse(settings.rateLimitEventsPerSecond());
    }

    static int retryAfterSeconds(long waitNanos) {
        return (int) Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }
}
