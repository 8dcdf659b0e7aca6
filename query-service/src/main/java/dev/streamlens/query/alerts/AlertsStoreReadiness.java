package dev.streamlens.query.alerts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * /q/health/ready: not ready while the alerts store's consumer is being made again after a failure
 * (or ended for good), so transitions are not being stored. A Kafka that cannot be reached does not
 * count: the consumer polls on and reconnects by itself.
 */
@Readiness
@ApplicationScoped
public class AlertsStoreReadiness implements HealthCheck {

    static final String NAME = "alerts store consumer";

    @Inject
    AlertSettings settings;

    @Inject
    AlertTransitionConsumer consumer;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        if (!settings.kafka()) {
            return response.up()
                    .withData("state", "off (streamlens.alerts.kafka=false)")
                    .build();
        }
        StoreConsumerStatus.Snapshot status = consumer.status();
        response.status(status.state().up)
                .withData("state", status.state().name().toLowerCase())
                .withData("since", status.since().toString())
                .withData("restarts", status.restarts());
        if (status.lastError() != null) {
            response.withData("last_error", status.lastError());
        }
        return response.build();
    }
}
