package dev.streamlens.query.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.Topics;
import dev.streamlens.query.AcknowledgedSends;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends stored rules to the compacted topic {@code llm.alert-rules}, where the job reads them: the
 * rule's JSON keyed by its id, or a tombstone for a deleted rule. A change is sent at once by the
 * call that made it, and again by {@link #publishPending()} until Kafka has acknowledged it, so a
 * Kafka outage delays a rule change but never loses it.
 */
@ApplicationScoped
public class AlertRulePublisher {

    private static final Logger LOG = Logger.getLogger(AlertRulePublisher.class);
    private static final ObjectMapper JSON = EventJson.mapper();
    private static final long SEND_TIMEOUT_MS = 5_000;

    @Inject
    AlertRuleRepository rules;

    @Inject
    AlertSettings settings;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private KafkaProducer<String, String> producer;

    /** Sends a rule's newest version now; false when Kafka did not acknowledge (it is sent again later). */
    public boolean publish(String ruleId) {
        if (!settings.kafka()) {
            return false;
        }
        try {
            rules.publish(ruleId, this::send);
            return true;
        } catch (Exception e) {
            LOG.warnf("alert rule %s not published yet (%s); it is sent again shortly", ruleId, e.toString());
            return false;
        }
    }

    /** Sends every change Kafka has not acknowledged yet, oldest first; stops at the first failure. */
    @Scheduled(
            every = "${streamlens.alerts.work-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void publishPending() {
        if (!settings.kafka()) {
            return;
        }
        try {
            for (String ruleId : rules.unpublished(100)) {
                if (!publish(ruleId)) {
                    return;
                }
            }
        } catch (Exception e) {
            LOG.debugf("pending alert rules not read: %s", e);
        }
    }

    private void send(StoredRule stored) throws Exception {
        String value = stored.deleted() ? null : JSON.writeValueAsString(stored.rule());
        producer()
                .send(new ProducerRecord<>(Topics.ALERT_RULES, stored.rule().ruleId(), value))
                .get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties props =
                    AcknowledgedSends.producerSettings(bootstrapServers, "streamlens-alert-rules", SEND_TIMEOUT_MS);
            producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(2));
        }
    }
}
