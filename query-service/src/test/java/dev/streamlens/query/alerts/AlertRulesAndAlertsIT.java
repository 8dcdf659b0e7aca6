package dev.streamlens.query.alerts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.streamlens.model.AlertTransition;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.Topics;
import dev.streamlens.query.PostgresTestResource;
import dev.streamlens.testing.WebhookReceiver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Alert rules over REST and alerts from the job, on a real PostgreSQL and a real Kafka broker: rules
 * land on llm.alert-rules (tombstone on delete), transitions read from llm.alerts are stored once
 * by key and delivered to a real HTTP receiver with retries, and {@code GET /v1/alerts} shows them.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AlertsKafkaResource.class)
class AlertRulesAndAlertsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aRuleIsStoredVersionedAndPublishedThenDeletedWithATombstone() throws Exception {
        String id = "err-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON)
                .body(errorRule(id, "acme", 10))
                .post("/v1/alert-rules")
                .then()
                .statusCode(201)
                .header("Location", startsWith("http"))
                .body("rule_id", equalTo(id))
                .body("version", equalTo(1));
        given().contentType(ContentType.JSON)
                .body(errorRule(id, "acme", 20))
                .post("/v1/alert-rules")
                .then()
                .statusCode(409)
                .body("errors[0].field", equalTo("rule_id"));
        double threshold = given().contentType(ContentType.JSON)
                .body(errorRule(id, "acme", 20))
                .put("/v1/alert-rules/" + id)
                .then()
                .statusCode(200)
                .body("version", equalTo(2))
                .extract()
                .jsonPath()
                .getDouble("threshold");
        assertThat(threshold).isEqualTo(20.0);
        given().queryParam("tenant_id", "acme")
                .get("/v1/alert-rules")
                .then()
                .statusCode(200)
                .body("rules.rule_id", hasItem(id));
        given().delete("/v1/alert-rules/" + id).then().statusCode(204);
        given().get("/v1/alert-rules/" + id).then().statusCode(404);
        given().delete("/v1/alert-rules/" + id).then().statusCode(404);

        // What the job reads: version 1, version 2, then a tombstone, in that order, keyed by rule id.
        List<ConsumerRecord<String, String>> published = readUntil(Topics.ALERT_RULES, id, 3);
        assertThat(published).extracting(ConsumerRecord::key).containsOnly(id);
        assertThat(EventJson.mapper()
                        .readTree(published.get(0).value())
                        .get("version")
                        .asLong())
                .isEqualTo(1);
        assertThat(EventJson.mapper()
                        .readTree(published.get(1).value())
                        .get("threshold")
                        .asDouble())
                .isEqualTo(20.0);
        assertThat(published.get(2).value()).isNull();
    }

    @Test
    void aBadRuleIsA400NamingItsField() {
        given().contentType(ContentType.JSON)
                .body("{\"tenant_id\":\"acme\",\"kind\":\"error_rate\",\"treshold\":5}")
                .post("/v1/alert-rules")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("treshold"));
        given().contentType(ContentType.JSON)
                .body("{\"tenant_id\":\"acme\",\"kind\":\"error_rate\",\"threshold\":\"high\"}")
                .post("/v1/alert-rules")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("threshold"));
        given().contentType(ContentType.JSON)
                .body("{\"tenant_id\":\"acme\",\"kind\":\"error_rate\",\"threshold\":150}")
                .post("/v1/alert-rules")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("threshold"));
        given().contentType(ContentType.JSON)
                .body("{\"tenant_id\":\"acme\",\"kind\":\"soon\"}")
                .post("/v1/alert-rules")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("kind"));
        given().contentType(ContentType.JSON)
                .body("{not json")
                .post("/v1/alert-rules")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"));
        for (String url : List.of(
                "http://169.254.169.254/latest/meta-data/",
                "http://[fe80::1]/hook",
                "http://metadata.google.internal/computeMetadata/v1/",
                "ftp://example.com/hook",
                "http://user:pw@example.com/")) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("tenant_id", "acme", "kind", "timeouts", "threshold", 3, "webhook_url", url))
                    .post("/v1/alert-rules")
                    .then()
                    .statusCode(400)
                    .body("errors[0].field", equalTo("webhook_url"));
        }
    }

    @Test
    void transitionsAreStoredOnceAndDeliveredWithTheSameKeyThroughFailures() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String id = "lat-" + UUID.randomUUID().toString().substring(0, 8);
            given().contentType(ContentType.JSON)
                    .body(Map.of(
                            "rule_id",
                            id,
                            "tenant_id",
                            "initech",
                            "kind",
                            "latency",
                            "threshold",
                            800,
                            "webhook_url",
                            receiver.url()))
                    .post("/v1/alert-rules")
                    .then()
                    .statusCode(201);
            receiver.failNext(3); // the receiver is down for the first three attempts
            Instant firedAt = Instant.parse("2026-05-01T10:05:00Z");
            AlertTransition firing = transition(id, AlertTransition.FIRING, firedAt, firedAt);
            AlertTransition resolved = transition(id, AlertTransition.RESOLVED, firedAt, firedAt.plusSeconds(180));
            produce(firing, firing, resolved); // the first one twice: a redelivered record

            awaitUntil(() -> receiver.accepted().size() == 2);
            assertThat(receiver.accepted())
                    .extracting(WebhookReceiver.Received::idempotencyKey)
                    .containsExactly(firing.idempotencyKey(), resolved.idempotencyKey());
            assertThat(receiver.count(firing.idempotencyKey())).isEqualTo(4); // three 500s, then delivered
            assertThat(receiver.count(resolved.idempotencyKey())).isEqualTo(1); // waited behind the firing
            assertThat(EventJson.mapper()
                            .readTree(receiver.accepted().get(0).body())
                            .get("state")
                            .asText())
                    .isEqualTo("firing");

            given().queryParam("tenant_id", "initech")
                    .queryParam("from", "2026-05-01T00:00:00Z")
                    .queryParam("to", "2026-05-02T00:00:00Z")
                    .get("/v1/alerts")
                    .then()
                    .statusCode(200)
                    .body("count", equalTo(2))
                    .body("alerts[0].state", equalTo("resolved"))
                    .body("alerts[1].idempotency_key", equalTo(firing.idempotencyKey()))
                    .body("alerts[1].delivery.status", equalTo("delivered"))
                    .body("alerts[1].delivery.attempts", equalTo(4));
            given().queryParam("tenant_id", "initech")
                    .queryParam("state", "firing")
                    .get("/v1/alerts")
                    .then()
                    .statusCode(200)
                    .body("count", equalTo(0));
            String metrics = given().get("/q/metrics").asString();
            assertThat(metrics)
                    .contains("streamlens_webhook_deliveries_total{outcome=\"retry\"} 3.0")
                    .contains("streamlens_webhook_deliveries_total{outcome=\"delivered\"}");
        }
    }

    @Test
    void anAlertWhoseLastTransitionFiredIsFiringNowInSlackFormat() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String id = "spend-" + UUID.randomUUID().toString().substring(0, 8);
            given().contentType(ContentType.JSON)
                    .body(Map.of(
                            "rule_id",
                            id,
                            "tenant_id",
                            "hooli",
                            "kind",
                            "spend",
                            "threshold",
                            50,
                            "webhook_url",
                            receiver.url(),
                            "webhook_format",
                            "slack"))
                    .post("/v1/alert-rules")
                    .then()
                    .statusCode(201);
            Instant firedAt = Instant.parse("2026-05-01T11:00:00Z");
            produce(transition(id, AlertTransition.FIRING, firedAt, firedAt));
            awaitUntil(() -> receiver.accepted().size() == 1);
            assertThat(EventJson.mapper()
                            .readTree(receiver.accepted().get(0).body())
                            .get("text")
                            .asText())
                    .startsWith("[FIRING] " + id + " on hooli");
            given().queryParam("tenant_id", "hooli")
                    .queryParam("state", "firing")
                    .get("/v1/alerts")
                    .then()
                    .statusCode(200)
                    .body("count", equalTo(1))
                    .body("alerts[0].rule_id", equalTo(id));
            given().queryParam("state", "sometimes")
                    .get("/v1/alerts")
                    .then()
                    .statusCode(400)
                    .body("errors.field", hasItem("tenant_id"))
                    .body("errors.field", hasItem("state"));
        }
    }

    private static String errorRule(String id, String tenant, int percent) {
        return "{\"rule_id\":\"" + id + "\",\"tenant_id\":\"" + tenant + "\",\"kind\":\"error_rate\",\"threshold\":"
                + percent + ",\"window_minutes\":5,\"min_requests\":10}";
    }

    private static AlertTransition transition(String ruleId, String state, Instant firedAt, Instant at) {
        String tenant = ruleId.startsWith("lat") ? "initech" : "hooli";
        return new AlertTransition(
                ruleId,
                ruleId,
                1L,
                tenant,
                null,
                null,
                "latency",
                state,
                1,
                firedAt,
                AlertTransition.idempotencyKey(ruleId, firedAt, state),
                at.minusSeconds(300),
                at,
                950.0,
                800.0,
                40,
                0,
                0,
                BigDecimal.ZERO,
                null);
    }

    private static void produce(AlertTransition... transitions) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, AlertsKafkaResource.bootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (AlertTransition t : transitions) {
                producer.send(new ProducerRecord<>(
                                Topics.ALERTS, t.tenantId(), EventJson.mapper().writeValueAsString(t)))
                        .get();
            }
        }
    }

    private static List<ConsumerRecord<String, String>> readUntil(String topic, String key, int count)
            throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, AlertsKafkaResource.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                });
            }
        }
        assertThat(found).as("records of %s on %s", key, topic).hasSize(count);
        return found;
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", WAIT).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
