package dev.streamlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.Topics;
import dev.streamlens.testing.KafkaBrokerExtension;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The embedded broker works from a Quarkus module, whose kafka-clients and JUnit are the BOM's. */
class EmbeddedInfraFromQuarkusSideIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void producesWithTheBomsClient() throws Exception {
        assertThat(AppInfoParser.getVersion()).startsWith("4.1");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            RecordMetadata written = producer.send(new ProducerRecord<>(Topics.REQUESTS, "req-1", "{}"))
                    .get(10, TimeUnit.SECONDS);
            assertThat(written.offset()).isZero();
        }
    }
}
