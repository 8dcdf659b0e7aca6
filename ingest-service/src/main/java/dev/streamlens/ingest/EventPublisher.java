package dev.streamlens.ingest;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes events to Kafka durably: acks=all and an idempotent producer, so a broker-side retry never
 * duplicates a record. A send fails on its own within the configured timeout (delivery.timeout.ms),
 * and the producer keeps working once the broker is back; no restart is needed.
 */
@ApplicationScoped
public class EventPublisher {

    @Inject
    IngestSettings settings;

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

    /** Sends one record; the future completes when the broker acknowledged it, or fails. */
    public Future<RecordMetadata> send(String topic, String key, byte[] value) {
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
