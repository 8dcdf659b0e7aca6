package dev.streamlens.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.Topics;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The embedded broker and database work from this module's classpath, whose kafka-clients is
 * the Flink connector's (not the broker's version).
 */
class EmbeddedInfraFromFlinkSideIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void producesAndConsumesWithTheConnectorsClient() throws Exception {
        assertThat(AppInfoParser.getVersion()).startsWith("4.2");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.RESPONSES, 0, "req-1", "hello"))
                    .get(10, TimeUnit.SECONDS);
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(Topics.RESPONSES, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            var records = consumer.poll(Duration.ofSeconds(10));
            assertThat(records.records(partition))
                    .extracting(r -> r.key() + "=" + r.value())
                    .containsExactly("req-1=hello");
        }
    }

    @Test
    void theMigratedTableIsThere() throws Exception {
        try (Connection connection = POSTGRES.dataSource().getConnection();
                ResultSet rs = connection.createStatement().executeQuery("SELECT count(*) FROM llm_metrics")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
