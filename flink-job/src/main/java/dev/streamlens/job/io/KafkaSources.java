package dev.streamlens.job.io;

import dev.streamlens.job.JobSettings;
import dev.streamlens.job.events.TelemetryEvent;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
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
    public static KafkaSource<TelemetryEvent> events(JobSettings settings, String topic) {
        return KafkaSource.<TelemetryEvent>builder()
                .setBootstrapServers(settings.kafkaBrokers)
                .setTopics(topic)
                .setGroupId(settings.consumerGroup)
                .setClientIdPrefix(settings.consumerGroup + "-" + topic)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new TelemetryDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }
}
