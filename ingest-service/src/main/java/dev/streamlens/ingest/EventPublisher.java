package dev.streamlens.ingest;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes events to Kafka durably and says which ones the broker acknowledged: acks=all and an
 * idempotent producer, so a broker-side retry never duplicates a record. A send fails on its own
 * within the configured timeout (delivery.timeout.ms), and the producer keeps working once the
 * broker is back; no restart is needed.
 */
@ApplicationScoped
public class EventPublisher {

    @Inject
    IngestSettings settings;

    @Inject
    IngestMetrics metrics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private KafkaProducer<String, byte[]> producer;

    @PostConstruct
    void start() {
        long timeout = settings.sendTimeout().toMillis();
        long linger = 2;
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
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Writes events and waits for every acknowledgement, at most {@link #maxWait()} in all.
     *
     * @return for each event, whether Kafka acknowledged it
     */
    public boolean[] publish(List<ValidatedEvent> events) {
        long started = System.nanoTime();
        List<Future<RecordMetadata>> sends = new ArrayList<>(events.size());
        for (ValidatedEvent event : events) {
            try {
                sends.add(send(event.type().topic(), event.key(), event.value()));
            } catch (RuntimeException e) {
                sends.add(null); // e.g. no metadata within the send timeout
            }
        }
        boolean[] written = awaitAcknowledgements(sends, started + maxWait().toNanos());
        metrics.produceLatency(System.nanoTime() - started);
        for (int i = 0; i < written.length; i++) {
            if (written[i]) {
                metrics.accepted(events.get(i).type(), 1);
            } else {
                metrics.rejected("kafka_unavailable", 1);
            }
        }
        return written;
    }

    private static boolean[] awaitAcknowledgements(List<Future<RecordMetadata>> sends, long deadline) {
        boolean[] written = new boolean[sends.size()];
        for (int i = 0; i < sends.size(); i++) {
            Future<RecordMetadata> send = sends.get(i);
            try {
                if (send != null) {
                    send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    written[i] = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                written[i] = false;
            }
        }
        return written;
    }

    /** Sends one record; the future completes when the broker acknowledged it, or fails. */
    private Future<RecordMetadata> send(String topic, String key, byte[] value) {
        return producer.send(new ProducerRecord<>(topic, key, value));
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
