package dev.streamlens.query.alerts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.Topics;
import dev.streamlens.query.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The alerts store's consumer fails with an exception it does not expect, on a real Kafka broker
 * and a real PostgreSQL: a new consumer is made after the backoff and stores on from the committed
 * offsets, and readiness is down in between, saying why.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AlertsKafkaResource.class)
class AlertsStoreRestartIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TENANT = "umbrella";

    @Test
    void aFailedConsumerIsMadeAgainAfterABackoffAndStoresOnWhileReadinessIsDown() throws Exception {
        String rule = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        AlertTransition before = firing(rule, Instant.parse("2026-05-02T10:00:00Z"));
        produce(before);
        awaitStored(before);
        Map<String, Object> up = awaitCheck(c -> "UP".equals(c.get("status")));
        assertThat(data(up)).containsEntry("state", "polling").containsEntry("restarts", 0);

        // The failure: an interrupt, which the Kafka client's poll throws as an InterruptException
        // (no test hook in the service). Before, any such exception ended the consumer's thread for good.
        Thread storeThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("alerts-store"))
                .findFirst()
                .orElseThrow();
        storeThread.interrupt();

        // Not ready while the new consumer waits its backoff (2 s in AlertsKafkaResource).
        Map<String, Object> down = awaitCheck(c -> "DOWN".equals(c.get("status")));
        assertThat(data(down)).containsEntry("state", "restarting").containsEntry("restarts", 1);
        assertThat((String) data(down).get("last_error")).contains("InterruptException");
        assertThat(Instant.parse((String) data(down).get("since")))
                .isAfter(Instant.now().minusSeconds(10));
        assertThat(down).containsEntry("http_status", 503);

        AlertTransition during = firing(rule, Instant.parse("2026-05-02T10:05:00Z"));
        produce(during);

        Map<String, Object> again = awaitCheck(c -> "UP".equals(c.get("status")));
        assertThat(data(again)).containsEntry("state", "polling").containsEntry("restarts", 1);
        assertThat(data(again).get("last_error")).isEqualTo(data(down).get("last_error"));
        awaitStored(during);
        assertThat(storedKeys()).containsExactlyInAnyOrder(before.idempotencyKey(), during.idempotencyKey());
        assertThat(again).containsEntry("http_status", 200);
        assertThat(storeThread.isAlive()).as("the same thread went on").isTrue();
    }

    private static AlertTransition firing(String ruleId, Instant firedAt) {
        return new AlertTransition(
                ruleId,
                ruleId,
                1L,
                TENANT,
                null,
                null,
                "timeouts",
                AlertTransition.FIRING,
                1,
                firedAt,
                AlertTransition.idempotencyKey(ruleId, firedAt, AlertTransition.FIRING),
                firedAt.minusSeconds(300),
                firedAt,
                5.0,
                3.0,
                40,
                0,
                5,
                BigDecimal.ZERO,
                null);
    }

    private static void produce(AlertTransition transition) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, AlertsKafkaResource.bootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.ALERTS, TENANT, EventJson.mapper().writeValueAsString(transition)))
                    .get();
        }
    }

    private static List<String> storedKeys() {
        return given().queryParam("tenant_id", TENANT)
                .queryParam("from", "2026-05-02T00:00:00Z")
                .queryParam("to", "2026-05-03T00:00:00Z")
                .get("/v1/alerts")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("alerts.idempotency_key", String.class);
    }

    private static void awaitStored(AlertTransition transition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!storedKeys().contains(transition.idempotencyKey())) {
            assertThat(System.nanoTime())
                    .as("%s stored within %s", transition.idempotencyKey(), WAIT)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The readiness check of the alerts store's consumer, once it matches, with the status code of its answer. */
    private static Map<String, Object> awaitCheck(Predicate<Map<String, Object>> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Response ready = given().get("/q/health/ready");
            Map<String, Object> check = ready.jsonPath().getMap("checks.find { it.name == 'alerts store consumer' }");
            if (check != null && condition.test(check)) {
                Map<String, Object> found = new HashMap<>(check);
                found.put("http_status", ready.statusCode());
                return found;
            }
            assertThat(System.nanoTime())
                    .as("readiness %s within %s", check, WAIT)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Map<String, Object> check) {
        return (Map<String, Object>) check.get("data");
    }
}
