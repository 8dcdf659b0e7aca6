package dev.streamlens.query.alerts;

import dev.streamlens.infra.EmbeddedKafkaBroker;
import dev.streamlens.testing.TestDirectories;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real Kafka broker (KRaft, child JVM) with the alert topics, and the service's alert work on:
 * fast rounds and short backoffs so retries show within a test; the alerts store's consumer waits
 * 2 s before it is made again after a failure, long enough to see readiness down (AlertsStoreRestartIT).
 */
public class AlertsKafkaResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedKafkaBroker broker;

    @Override
    public Map<String, String> start() {
        broker = EmbeddedKafkaBroker.builder()
                .dataDirectory(TestDirectories.fresh("kafka-query-alerts"))
                .build()
                .start();
        return Map.of(
                "kafka.bootstrap.servers",
                broker.bootstrapServers(),
                "streamlens.alerts.kafka",
                "true",
                "streamlens.alerts.work-interval",
                "200ms",
                "streamlens.alerts.webhook.initial-backoff",
                "100ms",
                "streamlens.alerts.webhook.max-backoff",
                "400ms",
                "streamlens.alerts.webhook.timeout",
                "2s",
                "streamlens.alerts.store.restart-backoff",
                "2s");
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.stop();
        }
    }

    /** The broker of the tests that use this resource (alerts, price versions). */
    public static String bootstrapServers() {
        return broker.bootstrapServers();
    }
}
