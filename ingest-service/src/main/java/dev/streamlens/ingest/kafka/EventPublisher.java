package dev.streamlens.ingest.kafka;

import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.ValidatedEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes events to Kafka durably and says which ones the broker acknowledged: acks=all and an
 * idempotent producer, so a broker-side retry never duplicates a record. A send fails on its own
 * within the configured timeout (delivery.timeout.ms), and the producer keeps working once the
 * broker is back; no restart is needed.
 *
 * <p>{@code KafkaProducer.send} blocks only while it has no metadata for the topic or its buffer is
 * full. {@link #publishWithoutBlocking} therefore sends on the caller's thread (the event loop) only
 * when neither can happen — the topic was acknowledged recently and little is in flight — and
 * hands the send to a worker thread otherwise (first call, after a failure, under a backlog).
 */
@ApplicationScoped
@Startup // the producer is built at start, never on the event loop by a first call
public class EventPublisher {

    @Inject
    IngestSettings settings;

    @Inject
    IngestMetrics metrics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** Producer buffer (buffer.memory); the event loop sends only while far below it. */
    static final long BUFFER_BYTES = 32L * 1024 * 1024;

    /** The producer drops the metadata of a topic unused this long (metadata.max.idle.ms, set below). */
    private static final long METADATA_MAX_IDLE_MS = TimeUnit.MINUTES.toMillis(5);
    /** A topic acknowledged this recently still has its metadata: well inside the idle time above. */
    private static final long RECENT_ACK_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** What a record takes in the producer's buffer beyond its key and value (headers, batch framing), generously. */
    private static final long RECORD_OVERHEAD_BYTES = 128;

    private KafkaProducer<String, byte[]> producer;

    /** Per topic, when the broker last acknowledged a record (System.nanoTime), 0 after a failure. */
    private final ConcurrentHashMap<String, Long> lastAcknowledged = new ConcurrentHashMap<>();

    /** Bytes handed to the producer and not yet answered. */
    private final AtomicLong bytesInFlight = new AtomicLong();

    @PostConstruct
    void start() {
        long timeout = settings.sendTimeout().toMillis();
        long linger = settings.producerLinger().toMillis();
        if (linger < 0 || linger > timeout - 1000) {
            // Kafka needs delivery.timeout.ms >= linger.ms + request.timeout.ms (at least 1 s).
            throw new IllegalStateException(
                    "streamlens.ingest.producer-linger must lie between 0 and the send timeout less 1 s ("
                            + (timeout - 1000) + " ms), not " + linger + " ms");
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "streamlens-ingest");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(linger));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Every wait is bounded by the send timeout: metadata and buffer waits, and delivery itself.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1000, timeout - linger - 1)));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1000, timeout)));
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(BUFFER_BYTES));
        props.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, Long.toString(METADATA_MAX_IDLE_MS));
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Writes events and waits for every acknowledgement, at most {@link #maxWait()} in all.
     *
     * @return for each event, whether Kafka acknowledged it
     */
    public boolean[] publish(List<ValidatedEvent> events) {
        return publishAsync(events).join();
    }

    /**
     * Like {@link #publishAsync}, but never blocks the calling thread: when a send could block
     * (see the class comment) it is made from a worker thread.
     */
    public CompletionStage<boolean[]> publishWithoutBlocking(List<ValidatedEvent> events) {
        if (sendCannotBlock(events)) {
            return publishAsync(events);
        }
        return CompletableFuture.supplyAsync(() -> publishAsync(events), Infrastructure.getDefaultWorkerPool())
                .thenCompose(answer -> answer);
    }

    private boolean sendCannotBlock(List<ValidatedEvent> events) {
        if (bytesInFlight.get() > BUFFER_BYTES / 4) {
            return false;
        }
        long now = System.nanoTime();
        for (ValidatedEvent event : events) {
            Long acknowledged = lastAcknowledged.get(event.type().topic());
            if (acknowledged == null || acknowledged == 0 || now - acknowledged > RECENT_ACK_NANOS) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes events; the answer completes once Kafka acknowledged or refused every one, or after
     * {@link #maxWait()} — on the producer's I/O thread, so no caller's thread waits meanwhile.
     *
     * @return for each event, whether Kafka acknowledged it (an event still unanswered at the
     *         deadline counts as not written: the client is told to send it again)
     */
    public CompletableFuture<boolean[]> publishAsync(List<ValidatedEvent> events) {
        long started = System.nanoTime();
        boolean[] written = new boolean[events.size()];
        CompletableFuture<Void> answered = new CompletableFuture<>();
        AtomicInteger unanswered = new AtomicInteger(events.size());
        for (int i = 0; i < events.size(); i++) {
            int index = i;
            ValidatedEvent event = events.get(i);
            String topic = event.type().topic();
            long size = event.value().length
                    + (event.key() == null ? 0 : event.key().length() * 3L)
                    + RECORD_OVERHEAD_BYTES;
            bytesInFlight.addAndGet(size);
            Callback outcome = (metadata, error) -> {
                bytesInFlight.addAndGet(-size);
                if (error == null) {
                    synchronized (written) {
                        written[index] = true;
                    }
                    lastAcknowledged.put(topic, System.nanoTime());
                } else {
                    lastAcknowledged.put(topic, 0L);
                }
                if (unanswered.decrementAndGet() == 0) {
                    answered.complete(null);
                }
            };
            try {
                producer.send(new ProducerRecord<>(topic, event.key(), event.value()), outcome);
            } catch (RuntimeException e) {
                outcome.onCompletion(null, e); // e.g. no metadata within the send timeout
            }
        }
        if (events.isEmpty()) {
            answered.complete(null);
        }
        return answered.completeOnTimeout(null, maxWait().toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(ignored -> {
                    boolean[] outcome;
                    synchronized (written) {
                        outcome = written.clone(); // an acknowledgement after the deadline changes no answer given
                    }
                    metrics.produceLatency(System.nanoTime() - started);
                    for (int i = 0; i < outcome.length; i++) {
                        if (outcome[i]) {
                            metrics.accepted(events.get(i).type(), 1);
                        } else {
                            metrics.rejected("kafka_unavailable", 1);
                        }
                    }
                    return outcome;
                });
    }

    /** How long to wait on a send's future: the producer itself gives up a little earlier. */
    public Duration maxWait() {
        return settings.sendTimeout().plusSeconds(1);
    }

    @PreDestroy
    void stop() {
        producer.close(Duration.ofSeconds(5));
    }
}
