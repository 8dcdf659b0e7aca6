package dev.streamlens.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;

/**
 * The service's counters in /q/metrics: events accepted by type, events rejected by reason
 * (the first offending field, or why the call failed), and the time Kafka took to acknowledge.
 */
@ApplicationScoped
public class IngestMetrics {

    @Inject
    MeterRegistry registry;

    /** The counters in a registry of the caller's, outside CDI (a unit test of one step). */
    public static IngestMetrics in(MeterRegistry registry) {
        IngestMetrics metrics = new IngestMetrics();
        metrics.registry = registry;
        return metrics;
    }

    public void accepted(EventType type, int count) {
        registry.counter("streamlens.ingest.events.accepted", "type", type.wireName())
                .increment(count);
    }

    /** reason: a field name such as {@code timestamp}, or {@code body}, {@code too_large}, {@code kafka_unavailable}... */
    public void rejected(String reason, int count) {
        registry.counter("streamlens.ingest.events.rejected", "reason", reason).increment(count);
    }

    /** Events refused with 429, by tenant (tenants are known keys, or the events' own tenant_id with keys off). */
    public void rateLimited(String tenant, int count) {
        registry.counter("streamlens.ingest.events.rate_limited", "tenant", tenant)
                .increment(count);
        rejected("rate_limited", count);
    }

    public void produceLatency(long nanos) {
        Timer.builder("streamlens.ingest.produce")
                .description("time until Kafka acknowledged a write (acks=all)")
                .publishPercentiles(0.5, 0.99)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
