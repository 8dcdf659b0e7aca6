package dev.streamlens.ingest;

import dev.streamlens.infra.EmbeddedKafkaBroker;
import dev.streamlens.infra.FreePorts;
import dev.streamlens.testing.TestDirectories;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real Kafka broker (KRaft, child JVM) for the service under test; Dev Services stay off. The
 * OTLP/gRPC listener gets a free port of this fork's block.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedKafkaBroker broker;

    @Override
    public Map<String, String> start() {
        broker = EmbeddedKafkaBroker.builder()
                .dataDirectory(TestDirectories.fresh("kafka-ingest"))
                .build()
                .start();
        return Map.of(
                "kafka.bootstrap.servers",
                broker.bootstrapServers(),
                "streamlens.ingest.send-timeout",
                "3s",
                "streamlens.ingest.otlp-grpc-port",
                String.valueOf(FreePorts.pick()));
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.stop();
        }
    }

    /** The broker, for tests that read what was written or take it away. */
    public static EmbeddedKafkaBroker broker() {
        return broker;
    }
}
