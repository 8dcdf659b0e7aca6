package dev.streamlens.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real broker: topics, transactions seen through read_committed, and data kept across a restart. */
class EmbeddedKafkaBrokerIT {

    @TempDir
    Path dataDirectories;

    /** A fresh data directory (a short path: PostgreSQL's socket path has a length limit). */
    private Path dataDirectory(String name) throws IOException {
        return Files.createDirectories(dataDirectories.resolve(name));
    }

    @Test
    void transactionsAreIsolatedAndCommittedRecordsSurviveARestart() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDirectory(dataDirectory("kafka-restart"))
                .partitions(3)
                .build()
                .start()) {

            assertThat(partitionsOf(broker))
                    .containsAllEntriesOf(Map.of(
                            Topics.REQUESTS,
                            3,
                            Topics.RESPONSES,
                            3,
                            Topics.METRICS,
                            3,
                            Topics.DEAD_LETTER,
                            3,
                            Topics.LATE_EVENTS,
                            3));

            try (KafkaProducer<String, String> producer = transactionalProducer(broker)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(Topics.METRICS, "acme|chat|gpt-4", "committed-1"));
                producer.send(new ProducerRecord<>(Topics.METRICS, "acme|chat|gpt-4o", "committed-2"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(Topics.METRICS, "acme|chat|gpt-4", "aborted-1"));
                producer.flush();
                producer.abortTransaction();
            }

            assertThat(readAll(broker, "read_committed")).containsExactlyInAnyOrder("committed-1", "committed-2");
            // The aborted record was written to the log: only the isolation level hides it.
            assertThat(readAll(broker, "read_uncommitted")).contains("aborted-1");

            long firstPid = broker.pid();
            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false))
                    .isFalse();
            broker.start();

            assertThat(readAll(broker, "read_committed")).containsExactlyInAnyOrder("committed-1", "committed-2");
        }
    }

    @Test
    void survivesAKillAndKeepsAcknowledgedRecords() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDirectory(dataDirectory("kafka-kill"))
                .partitions(1)
                .build()
                .start()) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(Topics.REQUESTS, "k" + i, "v" + i))
                            .get(10, TimeUnit.SECONDS);
                }
            }
            broker.kill();
            broker.start();
            List<String> values = readAll(broker, "read_committed", Topics.REQUESTS);
            assertThat(values).hasSize(100).contains("v0", "v99");
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafkaBroker broker) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-infra-test");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "300000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(EmbeddedKafkaBroker broker, String isolation) {
        return readAll(broker, isolation, Topics.METRICS);
    }

    /** Reads a topic from the beginning until its end offsets (as seen by this isolation level). */
    private static List<String> readAll(EmbeddedKafkaBroker broker, String isolation, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            List<String> values = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }

    @Test
    void everyTopicCarriesItsSettingsAndAnOlderTopicIsBroughtInLine() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .dataDirectory(dataDirectory("kafka-configs"))
                .partitions(1)
                .build()
                .start()) {
            Properties props = new Properties();
            props.put("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                for (String topic : Topics.ALL) {
                    assertThat(settingsOf(admin, topic)).as(topic).containsAllEntriesOf(Topics.config(topic));
                }
                assertThat(Topics.config(Topics.REQUESTS))
                        .as("retention is explicit")
                        .containsKey("retention.ms");
                // A topic as an older version left it: its retention changed; starting again restores it.
                ConfigResource requests = new ConfigResource(ConfigResource.Type.TOPIC, Topics.REQUESTS);
                admin.incrementalAlterConfigs(Map.of(
                                requests,
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET))))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                assertThat(settingsOf(admin, Topics.REQUESTS)).containsEntry("retention.ms", "3600000");
                broker.createTopics(Topics.ALL, 1);
                assertThat(settingsOf(admin, Topics.REQUESTS)).containsAllEntriesOf(Topics.config(Topics.REQUESTS));
            }
        }
    }

    private static Map<String, String> settingsOf(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Map<String, String> settings = new java.util.HashMap<>();
        admin.describeConfigs(List.of(resource))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(resource)
                .entries()
                .forEach(entry -> settings.put(entry.name(), entry.value()));
        return settings;
    }

    private static Map<String, Integer> partitionsOf(EmbeddedKafkaBroker broker) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(Set.copyOf(Topics.ALL)).allTopicNames().get(30, TimeUnit.SECONDS);
            Map<String, Integer> partitions = new java.util.HashMap<>();
            topics.forEach((name, d) -> partitions.put(name, d.partitions().size()));
            return partitions;
        }
    }
}
