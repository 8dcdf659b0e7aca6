package dev.streamlens.query.prices;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.PriceVersion;
import dev.streamlens.query.PostgresTestResource;
import dev.streamlens.query.alerts.AlertsKafkaResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/prices}: the carried genai-prices catalog, and a model found as a call's pricing
 * finds it, with the prices in force at the time asked (the catalog's figures, docs/PRICING.md).
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AlertsKafkaResource.class)
class PricesResourceIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ENTRIES =
            "[{\"id\": \"in-house\", \"models\": [{\"id\": \"llama-ft\", \"match\": {\"equals\": \"llama-ft\"},"
                    + " \"prices\": {\"input_mtok\": 0.1, \"output_mtok\": 0.2}}]}]";

    @Test
    void aPublishedVersionIsNumberedStoredAndOnTheTopicTheJobReads() throws Exception {
        int before = given().get("/v1/prices").then().statusCode(200).extract().path("versions.size()");
        Number version = given().contentType("application/json")
                .queryParam("effective_from", "2026-12-01T00:00:00Z")
                .body(ENTRIES)
                .put("/v1/prices")
                .then()
                .statusCode(200)
                .body("effective_from", equalTo("2026-12-01T00:00:00Z"))
                .extract()
                .path("version");
        given().get("/v1/prices")
                .then()
                .statusCode(200)
                .body("versions.size()", equalTo(before + 1))
                .body("versions[-1].version", equalTo(version.intValue()))
                .body("versions[-1].effective_from", equalTo("2026-12-01T00:00:00Z"));

        PriceVersion published = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        AlertsKafkaResource.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "prices-it-" + System.nanoTime(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.PRICES));
            long deadline = System.currentTimeMillis() + 20_000;
            while (published == null && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key().equals(version.toString())) {
                        published = PriceVersion.fromJson(record.value());
                    }
                }
            }
        }
        assertThat(published).as("the version on llm.prices").isNotNull();
        assertThat(published.effectiveFrom()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(JSON.readTree(published.entries())).isEqualTo(JSON.readTree(ENTRIES));
    }

    @Test
    void badEntriesOrABadTimeAre400NamingThemAndPublishNothing() {
        int before = given().get("/v1/prices").then().statusCode(200).extract().path("versions.size()");
        given().contentType("application/json")
                .body("{\"models\": {\"x\": {\"input_per_million\": -1, \"output_per_million\": 1}}}")
                .put("/v1/prices")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"))
                .body("errors[0].reason", startsWith("models.x.input_per_million"));
        given().contentType("application/json")
                .body("[{\"id\": \"p\", \"models\": [{\"id\": \"m\", \"prices\": {}}]}]")
                .put("/v1/prices")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"));
        given().contentType("application/json")
                .queryParam("effective_from", "yesterday")
                .body(ENTRIES)
                .put("/v1/prices")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("effective_from"));
        given().get("/v1/prices").then().statusCode(200).body("versions.size()", equalTo(before));
    }

    @Test
    void theCatalogSaysWhereItComesFromAndOfWhichDate() {
        given().get("/v1/prices")
                .then()
                .statusCode(200)
                .body("catalog.name", equalTo("genai-prices"))
                .body("catalog.date", equalTo("2026-08-21"))
                .body("catalog.providers", equalTo(36))
                .body("catalog.models", equalTo(1466));
    }

    @Test
    void aModelIsShownWithThePricesInForceAtTheTimeAsked() {
        // Claude Sonnet 4.6: tiered above 200,000 prompt tokens until 2026-03-12, flat from 2026-03-13.
        given().queryParam("model", "claude-sonnet-4-6-20260201")
                .queryParam("provider", "anthropic")
                .queryParam("at", "2026-03-12T23:59:59Z")
                .get("/v1/prices/model")
                .then()
                .statusCode(200)
                .body("provider", equalTo("anthropic"))
                .body("model", equalTo("claude-sonnet-4-6"))
                .body("prices.input_mtok.base", equalTo(3))
                .body("prices.input_mtok.tiers[0].start", equalTo(200000))
                .body("prices.input_mtok.tiers[0].price", equalTo(6));
        Object cacheRead = given().queryParam("model", "claude-sonnet-4-6")
                .queryParam("provider", "anthropic")
                .queryParam("at", "2026-03-13T00:00:00Z")
                .get("/v1/prices/model")
                .then()
                .statusCode(200)
                .body("prices.input_mtok", equalTo(3))
                .extract()
                .path("prices.cache_read_mtok");
        // However the client reads decimals (float, double, BigDecimal), the value is 0.3.
        assertThat(new BigDecimal(cacheRead.toString())).isEqualByComparingTo("0.3");
        // Azure offers OpenAI's models at OpenAI's prices.
        given().queryParam("model", "gpt-5")
                .queryParam("provider", "azure")
                .get("/v1/prices/model")
                .then()
                .statusCode(200)
                .body("provider", equalTo("azure"))
                .body("model", equalTo("gpt-5"));
    }

    @Test
    void aMissingModelOrABadTimeIs400NamingTheFieldAndAnUnknownModel404() {
        given().get("/v1/prices/model").then().statusCode(400).body("error", equalTo("model is required"));
        given().queryParam("model", "gpt-5")
                .queryParam("at", "yesterday")
                .get("/v1/prices/model")
                .then()
                .statusCode(400)
                .body("error", equalTo("at must be an RFC 3339 timestamp"));
        given().queryParam("model", "in-house-llm")
                .get("/v1/prices/model")
                .then()
                .statusCode(404)
                .body("status", equalTo("unpriced"))
                .body("error", startsWith("the catalog has no model in-house-llm"));
    }
}
