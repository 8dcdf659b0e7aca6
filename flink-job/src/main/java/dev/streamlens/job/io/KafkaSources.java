package dev.streamlens.job.io;

import dev.streamlens.job.alerts.AlertRuleChange;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.model.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's inputs: one Kafka source per event topic. */
public final class KafkaSources {

    private KafkaSources() {
    }

    /**
     * Reads a topic from the group's committed offsets, or from the beginning the first time.
     * After a restore the checkpointed offsets win; committed offsets only serve monitoring.
     */
    @SuppressWarnings("deprecation") // the connector's API still takes Kafka's OffsetResetStrategy
    public static KafkaSource<TelemetryEvent> events(String brokers, String consumerGroup, String topic) {
        return KafkaSource.<TelemetryEvent>builder()
                .setBootstrapServers(brokers)
                .setTopics(topic)
                .setGroupId(consumerGroup)
                .setClientIdPrefix(consumerGroup + "-" + topic)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new TelemetryDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * The alert rules, always from the beginning of the compacted topic (every rule that exists);
     * after a restore the checkpointed offsets win, and the rules come back with the broadcast state.
     */
    public static KafkaSource<AlertRuleChange> alertRules(String brokers, String consumerGroup) {
        return KafkaSource.<AlertRuleChange>builder()
                .setBootstrapServers(brokers)
                .setTopics(Topics.ALERT_RULES)
                .setGroupId(consumerGroup)
                .setClientIdPrefix(consumerGroup + "-" + Topics.ALERT_RULES)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new AlertRuleDeserializer())
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * How many partitions a topic has. A source subtask that owns no partition would hold every
     * watermark back (nothing ever moves it), so a source never runs wider than its topic.
     */
    public static int partitionCount(String brokers, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"))) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            return description.partitions().size();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the partitions of topic " + topic + " from Kafka at " + brokers
                    + " (does the topic exist?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the partitions of " + topic, e);
        }
    }
}
