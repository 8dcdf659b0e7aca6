package dev.streamlens.query.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Delivers stored alert transitions to their rules' webhooks (docs/ALERTS.md#webhooks): POSTs with
 * the same {@code Idempotency-Key} header on every attempt and after a restart, retries with
 * exponential backoff until a 2xx answer or the give-up time, and records each outcome on the
 * alert (its delivery status) and in metrics. Redirects are not followed: a 3xx could lead to an
 * address the URL check refused.
 */
@ApplicationScoped
public class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    private static final int BATCH = 20;

    @Inject
    AlertRepository alerts;

    @Inject
    WebhookTargets targets;

    @Inject
    AlertSettings settings;

    @Inject
    MeterRegistry registry;

    private final AtomicLong undelivered = new AtomicLong();
    private HttpClient client;

    @PostConstruct
    void init() {
        client = HttpClient.newBuilder()
                .connectTimeout(settings.webhook().timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        registry.gauge("streamlens_webhook_undelivered", undelivered);
    }

    @Scheduled(
            every = "${streamlens.alerts.work-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void deliverDue() {
        try {
            List<AlertRepository.Delivery> due;
            do {
                // The lease outlasts one attempt, so no other instance takes a delivery under way.
                due = alerts.claimDue(
                        BATCH, settings.webhook().timeout().multipliedBy(2).plusSeconds(5));
                for (AlertRepository.Delivery delivery : due) {
                    deliver(delivery);
                }
            } while (due.size() == BATCH);
            undelivered.set(alerts.undelivered());
        } catch (Exception e) {
            LOG.debugf("webhook deliveries not read: %s", e);
        }
    }

    private void deliver(AlertRepository.Delivery delivery) throws Exception {
        URI uri = URI.create(delivery.url());
        Optional<String> refused = targets.deliveryRefusal(uri);
        if (refused.isPresent()) {
            count("refused");
            alerts.failed(delivery.id(), "not delivered: the URL " + refused.get(), null);
            return;
        }
        String error;
        try {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(settings.webhook().timeout())
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", delivery.idempotencyKey())
                    .header("User-Agent", "StreamLens-Alerts/1")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            WebhookMessages.body(delivery.transition(), delivery.format())))
                    .build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                count("delivered");
                alerts.delivered(delivery.id());
                return;
            }
            error = "HTTP " + response.statusCode();
        } catch (java.io.IOException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        Duration retryIn = retryDelay(delivery.attempts());
        boolean giveUp = Instant.now()
                .plus(retryIn)
                .isAfter(delivery.receivedAt().plus(settings.webhook().giveUpAfter()));
        count(giveUp ? "gave_up" : "retry");
        alerts.failed(delivery.id(), error, giveUp ? null : retryIn);
        LOG.infof(
                "webhook for %s failed (%s), attempt %d%s",
                delivery.idempotencyKey(),
                error,
                delivery.attempts() + 1,
                giveUp ? "; given up" : "; retried in " + retryIn.toMillis() + " ms");
    }

    /** initial-backoff × 2^(attempts made before), at most max-backoff. */
    Duration retryDelay(int attemptsBefore) {
        Duration delay = settings.webhook().initialBackoff().multipliedBy(1L << Math.min(attemptsBefore, 20));
        return delay.compareTo(settings.webhook().maxBackoff()) > 0
                ? settings.webhook().maxBackoff()
                : delay;
    }

    private void count(String outcome) {
        registry.counter("streamlens_webhook_deliveries", "outcome", outcome).increment();
    }
}
