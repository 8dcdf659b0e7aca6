package dev.streamlens.query.alerts;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>Any other failure closes the consumer and makes a new one after a backoff (see
 * {@link StoreConsumerStatus}); it resumes at the group's committed offsets, so nothing is lost or
 * stored twice. {@link AlertsStoreReadiness} reports the service not ready meanwhile.
 */
@ApplicationScoped
public class AlertTransitionConsumer {

    private static final Logger LOG = Logger.getLogger(AlertTransitionConsumer.class);
    private static final ObjectReader READER = EventJson.mapper().readerFor(AlertTransition.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REWIND_PAUSE = Duration.ofSeconds(1);
    static final String GROUP = "streamlens-alerts-store";

    @Inject
    AlertRepository alerts;

    @Inject
    AlertSettings settings;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private StoreConsumerStatus status;
    private volatile boolean running;
    /** The consumer in use, for stop() to wake. */
    private volatile KafkaConsumer<String, String> consumer;
    /** Ends a backoff or a pause at once when the service stops. */
    private final CountDownLatch stopSignal = new CountDownLatch(1);

    private Thread thread;

    @PostConstruct
    void init() {
        status = new StoreConsumerStatus(
                settings.store().restartBackoff(), settings.store().maxRestartBackoff(), Clock.systemUTC());
    }

    void start(@Observes StartupEvent started) {
        if (!settings.kafka()) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "alerts-store");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        running = false;
        stopSignal.countDown();
        KafkaConsumer<String, String> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            thread.join(5_000);
        }
    }

    StoreConsumerStatus.Snapshot status() {
        return status.snapshot();
    }

    /** Consumes until the service stops, with a new consumer after each failure. */
    private void run() {
        try {
            while (running) {
                KafkaConsumer<String, String> current = null;
                try {
                    current = newConsumer();
                    consumer = current;
                    if (running) { // else stop() came first and woke the previous consumer: do not poll
                        consume(current);
                    }
                } catch (WakeupException e) {
                    // stop() woke the consumer
                } catch (Exception e) {
                    // stop() wakes the consumer and never interrupts this thread: an interrupt (the
                    // client's InterruptException) is a failure like any other, and the flag would
                    // only make the backoff and the next consumer fail at once.
                    Thread.interrupted();
                    Duration wait = status.failed(e);
                    LOG.errorf(e, "alerts store consumer failed; a new one starts in %d ms", wait.toMillis());
                    closeQuietly(current);
                    current = null;
                    pause(wait);
                } finally {
                    closeQuietly(current);
                }
            }
        } catch (Error e) {
            // Not restarted: an error of the JVM itself (out of memory, ...). Readiness stays down.
            status.stopped(e);
            LOG.error("alerts store stopped", e);
            throw e;
        }
    }

    private void consume(KafkaConsumer<String, String> current) {
        current.subscribe(List.of(Topics.ALERTS));
        while (running) {
            ConsumerRecords<String, String> records = current.poll(POLL_TIMEOUT);
            status.polled();
            if (!records.isEmpty()) {
                storeOrRewind(current, records);
            }
        }
    }

    private KafkaConsumer<String, String> newConsumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamlens-alerts-store");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private void storeOrRewind(KafkaConsumer<String, String> current, ConsumerRecords<String, String> records) {
        List<AlertTransition> transitions = new ArrayList<>();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            firstOffsets.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
            try {
                AlertTransition t = record.value() == null ? null : READER.readValue(record.value());
                if (t != null && t.idempotencyKey() != null && t.alertId() != null && t.tenantId() != null) {
                    transitions.add(t);
                } else {
                    LOG.warnf(
                            "skipped a record of %s at offset %d: not an alert transition",
                            record.topic(), record.offset());
                }
            } catch (Exception e) {
                LOG.warnf("skipped a record of %s at offset %d: %s", record.topic(), record.offset(), e.getMessage());
            }
        }
        try {
            alerts.store(transitions);
            current.commitSync();
        } catch (Exception e) {
            LOG.warnf("alert transitions not stored yet (%s); reading them again", e.toString());
            firstOffsets.forEach(current::seek);
            pause(REWIND_PAUSE);
        }
    }

    /** Waits, or less when the service stops. */
    private void pause(Duration wait) {
        try {
            stopSignal.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the next poll fails with it, and the consumer is made again
        }
    }

    private static void closeQuietly(KafkaConsumer<String, String> consumer) {
        if (consumer == null) {
            return;
        }
        try {
            consumer.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("alerts store consumer not closed cleanly: %s", e);
        }
    }
}
