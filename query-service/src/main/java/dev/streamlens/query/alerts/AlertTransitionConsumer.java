package dev.streamlens.query.alerts;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stores the job's alert transitions from {@code llm.alerts} in PostgreSQL: reads committed records
 * only (the job writes them in Kafka transactions), stores a batch, then commits its offsets. A
 * crash between the two reads the batch again, which the table's idempotency key absorbs; a batch
 * PostgreSQL refused is read again after a pause. Service instances share the work as one consumer
 * group.
 */
@ApplicationScoped
public class AlertTransitionConsumer {

    private static final Logger LOG = Logger.getLogger(AlertTransitionConsumer.class);
    private static final ObjectReader READER = EventJson.mapper().readerFor(AlertTransition.class);
    static final String GROUP = "streamlens-alerts-store";

    @Inject
    AlertRepository alerts;

    @Inject
    AlertSettings settings;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private volatile boolean running;
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    void start(@Observes StartupEvent started) {
        if (!settings.kafka()) {
            return;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamlens-alerts-store");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        running = true;
        thread = new Thread(this::run, "alerts-store");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            thread.join(5_000);
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.ALERTS));
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    storeOrRewind(records);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.error("alerts store stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void storeOrRewind(ConsumerRecords<String, String> records) {
        List<AlertTransition> transitions = new ArrayList<>();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            firstOffsets.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
            try {
                AlertTransition t = record.value() == null ? null : READER.readValue(record.value());
                if (t != null && t.idempotencyKey() != null && t.alertId() != null && t.tenantId() != null) {
                    transitions.add(t);
                } else {
                    LOG.warnf("skipped a record of %s at offset %d: not an alert transition", record.topic(), record.offset());
                }
            } catch (Exception e) {
                LOG.warnf("skipped a record of %s at offset %d: %s", record.topic(), record.offset(), e.getMessage());
            }
        }
        try {
            alerts.store(transitions);
            consumer.commitSync();
        } catch (Exception e) {
            LOG.warnf("alert transitions not stored yet (%s); reading them again", e.toString());
            firstOffsets.forEach(consumer::seek);
            sleepQuietly();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
