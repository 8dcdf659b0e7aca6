package dev.streamlens.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The ingest service's own settings ({@code streamlens.ingest.*} in application.properties). */
@ConfigMapping(prefix = "streamlens.ingest")
public interface IngestSettings {

    /** How long a call waits for Kafka's acknowledgement before answering 503. */
    @WithDefault("5s")
    Duration sendTimeout();

    /**
     * How long the producer waits to fill a batch (linger.ms). 0 is fastest for calls that wait for
     * their acknowledgement: records still batch while a request to the broker is in flight, and a
     * client with N connections sends at most N / latency events per second (docs/benchmarks-history.md:
     * 0 ms gave 1.2-1.3x the single events/s of 2 ms, 10 ms gave 0.4x; batch calls 0.88x).
     */
    @WithDefault("0ms")
    Duration producerLinger();

    /** The Retry-After (seconds) of a 503 or 429. */
    @WithDefault("1")
    int retryAfterSeconds();

    /** Largest body of a single event. */
    @WithDefault("65536")
    int maxEventBytes();

    /** Largest body of a batch. */
    @WithDefault("1048576")
    int maxBatchBytes();

    /** Most events in one batch. */
    @WithDefault("1000")
    int maxBatchEvents();

    /**
     * Events per second a tenant may send (a token bucket holding two seconds' worth), unless its
     * key in the API keys file names its own {@code events_per_second}; 0 turns limits off.
     */
    @WithDefault("10000")
    long rateLimitEventsPerSecond();

    /** Keys in an event's metadata, counted at every level; may only be lowered (the job checks the default, 128). */
    @WithDefault("128")
    int maxMetadataKeys();

    /** Nesting levels inside metadata (1 = flat); may only be lowered (the job's default is 5). */
    @WithDefault("5")
    int maxMetadataDepth();

    /** Metadata as compact JSON, in bytes; may only be lowered (the job's default is 16384). */
    @WithDefault("16384")
    int maxMetadataBytes();

    /** OTLP traces: the largest export body once gzip is undone. */
    @WithDefault("16777216")
    int otlpMaxBodyBytes();

    /** OTLP traces: most GenAI spans in one export (an SDK's batch is 512 spans by default). */
    @WithDefault("4096")
    int otlpMaxSpans();

    /** OTLP traces: the span or resource attribute naming the tenant (API keys off). */
    @WithDefault("tenant.id")
    String otlpTenantAttribute();

    /** OTLP traces: the tenant of spans without that attribute (API keys off). */
    @WithDefault("default")
    String otlpDefaultTenant();

    /** OTLP traces: the span or resource attribute naming the route; else the resource's service.name. */
    @WithDefault("streamlens.route")
    String otlpRouteAttribute();

    /** OTLP over gRPC on its own port; false: no gRPC port is opened. */
    @WithDefault("true")
    boolean otlpGrpcEnabled();

    /** OTLP over gRPC: the port (4317, OTLP's default), on the HTTP service's address. */
    @WithDefault("4317")
    int otlpGrpcPort();
}
