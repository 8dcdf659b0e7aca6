package dev.streamlens.ingest.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** /q/health/ready: not ready while Kafka cannot be reached. */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements HealthCheck {

    @Inject
    KafkaReachability kafka;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka").status(kafka.isReachable()).build();
    }
}
