package dev.streamlens.job.io;

import dev.streamlens.job.alerts.AlertRuleChange;
import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.model.Topics;
import dev.streamlens.model.attribution.TagKeys;
import dev.streamlens.model.pricing.PriceVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The job's inputs: one Kafka source per event topic, the alert rules and the price versions. */
public final class KafkaSources {

    private static final String TIMESTAMP_TYPE = "message.timestamp.type";

    private KafkaSources() {}

    /**
     * Reads a topic from the group's committed offsets, or from the beginning the first time.
     * After a restore the checkpointed offsets win; committed offsets only serve monitoring.
     */
    @SuppressWarnings("deprecation") // the connector's API still takes Kafka's OffsetResetStrategy
    public static KafkaSource<TelemetryEvent> events(
            String brokers,
            String consumerGroup,
            String topic,
            Duration partitionDiscovery,
            Duration outageWait,
            TagKeys tagKeys) {
        return KafkaSource.<TelemetryEvent>builder()
                .setBootstrapServers(brokers)
                .setTopics(topic)
                .setGroupId(consumerGroup)
                .setClientIdPrefix(consumerGroup + "-" + topic)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new TelemetryDeserializer(tagKeys))
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", Long.toString(partitionDiscovery.toMillis()))
                // A discovery that fails fails the whole job: while the brokers are away, wait for
                // them, as long as a checkpoint may take.
                .setProperty("default.api.timeout.ms", Long.toString(outageWait.toMillis()))
                .build();
    }

    /**
     * Reads the records a topic received between two Kafka timestamps (its ingest time) and ends:
     * the input of a recompute. A group of its own that commits nothing, so the live job's offsets
     * and lag are untouched. An end past the newest record stops at the offsets found at start.
     */
    public static KafkaSource<TelemetryEvent> eventsBetween(
            String brokers, String consumerGroup, String topic, long fromMillis, long untilMillis, TagKeys tagKeys) {
        return KafkaSource.<TelemetryEvent>builder()
                .setBootstrapServers(brokers)
                .setTopics(topic)
                .setGroupId(consumerGroup)
                .setClientIdPrefix(consumerGroup + "-" + topic)
                .setStartingOffsets(OffsetsInitializer.timestamp(fromMillis))
                .setBounded(OffsetsInitializer.timestamp(untilMillis))
                .setDeserializer(new TelemetryDeserializer(tagKeys))
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
    }

    /**
     * The partitions of a topic that may have lost records received at or after {@code fromMillis}:
     * records were deleted from their start (retention), and no record before that instant is left
     * to show the deleted ones were older. A recompute over them would replace whole windows with
     * part of their calls.
     */
    public static List<String> partitionsTruncatedAfter(String brokers, String topic, long fromMillis) {
        return withAdmin(brokers, "the offsets of topic " + topic, admin -> {
            TopicDescription description = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> atTime = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            description.partitions().forEach(p -> {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                earliest.put(tp, OffsetSpec.earliest());
                atTime.put(tp, OffsetSpec.forTimestamp(fromMillis));
                latest.put(tp, OffsetSpec.latest());
            });
            var first = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
            var fromOffset = admin.listOffsets(atTime).all().get(30, TimeUnit.SECONDS);
            var end = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            List<String> truncated = new ArrayList<>();
            for (TopicPartition tp : earliest.keySet()) {
                long start = first.get(tp).offset();
                long at = fromOffset.get(tp).offset(); // -1: every record is older
                boolean olderRecordKept = at == -1 ? start < end.get(tp).offset() : at > start;
                if (start > 0 && !olderRecordKept) {
                    truncated.add(tp.toString());
                }
            }
            return truncated;
        });
    }

    /**
     * The alert rules, always from the beginning of the compacted topic (every rule that exists);
     * after a restore the checkpointed offsets win, and the rules come back with the broadcast state.
     */
    public static KafkaSource<AlertRuleChange> alertRules(String brokers, String consumerGroup, Duration outageWait) {
        return KafkaSource.<AlertRuleChange>builder()
                .setBootstrapServers(brokers)
                .setTopics(Topics.ALERT_RULES)
                .setGroupId(consumerGroup)
                .setClientIdPrefix(consumerGroup + "-" + Topics.ALERT_RULES)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new AlertRuleDeserializer())
                .setProperty("partition.discovery.interval.ms", "60000")
                .setProperty("default.api.timeout.ms", Long.toString(outageWait.toMillis()))
                .build();
    }

    /**
     * Price versions published while the job runs, from the beginning of the compacted topic; after a
     * restore the checkpointed offsets win, and the versions come back with the broadcast state.
     */
    public static KafkaSource<String> priceVersions(String brokers, String consumerGroup, Duration outageWait) {
        return KafkaSource.<String>builder()
                .setBootstrapServers(brokers)
                .setTopics(Topics.PRICES)
                .setGroupId(consumerGroup)
                .setClientIdPrefix(consumerGroup + "-" + Topics.PRICES)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new PriceVersionDeserializer())
                .setProperty("partition.discovery.interval.ms", "60000")
                .setProperty("default.api.timeout.ms", Long.toString(outageWait.toMillis()))
                .build();
    }

    /**
     * Every price version published so far, read where the job is built: a job pricing its first
     * calls must not wait for its price source (nor race it), and a recompute must price the past
     * with every version there is. None when the topic does not exist.
     */
    public static List<PriceVersion> publishedPriceVersions(String brokers) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.PRICES, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                return List.of();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<PriceVersion> versions = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read topic " + Topics.PRICES + " to its end within 60 s");
                }
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        versions.add(PriceVersion.fromJson(record.value()));
                    } catch (RuntimeException e) {
                        // skipped as the running job's source skips it (PriceVersionDeserializer)
                    }
                }
            }
            return versions;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException(
                    "cannot read the price versions from Kafka at " + brokers + ": " + e.getMessage(), e);
        }
    }

    /**
     * How many partitions a topic has. A source subtask that owns no partition would hold every
     * watermark back (nothing ever moves it), so a source never runs wider than its topic.
     */
    public static int partitionCount(String brokers, String topic) {
        return withAdmin(
                brokers,
                "the partitions of topic " + topic + " (does the topic exist?)",
                admin -> admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .size());
    }

    /**
     * How many partitions an event topic has ({@link #partitionCount}), asked together with its
     * timestamp type: a topic whose record timestamps come from its producers is refused. The job's
     * time is "when was this written" (docs/DESIGN.md, "Skewed clocks"): with {@code CreateTime},
     * one client with a fast clock would move the watermark for every tenant while the job reads a
     * backlog, and the windows it closes early would turn good calls into late events.
     */
    public static int eventTopicPartitions(String brokers, String topic) {
        return withAdmin(
                brokers, "the partitions and configuration of topic " + topic + " (does the topic exist?)", admin -> {
                    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                    ConfigEntry type = admin.describeConfigs(List.of(resource))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(resource)
                            .get(TIMESTAMP_TYPE);
                    if (type == null || !"LogAppendTime".equals(type.value())) {
                        throw new IllegalStateException("topic " + topic + " has " + TIMESTAMP_TYPE + "="
                                + (type == null ? null : type.value())
                                + ": its record timestamps come from the producers' clocks, and StreamLens takes event time from "
                                + "when a record was written. Set it on the topic (kafka-configs.sh --bootstrap-server "
                                + brokers
                                + " --alter --entity-type topics --entity-name " + topic + " --add-config "
                                + TIMESTAMP_TYPE + "=LogAppendTime) and start the job again");
                    }
                    return admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()
                            .size();
                });
    }

    /** What Kafka's admin client answers a question with, waiting up to 30 s for each reply. */
    private interface AdminQuestion<T> {
        T ask(Admin admin) throws ExecutionException, TimeoutException, InterruptedException;
    }

    /** Asks the brokers one question; a broker that cannot answer becomes an exception naming {@code what}. */
    private static <T> T withAdmin(String brokers, String what, AdminQuestion<T> question) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                brokers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                "30000"))) {
            return question.ask(admin);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot read " + what + " from Kafka at " + brokers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + what, e);
        }
    }
}
