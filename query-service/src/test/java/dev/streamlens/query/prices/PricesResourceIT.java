package dev.streamlens.query.prices;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.streamlens.query.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/prices}: the carried genai-prices catalog, and a model found as a call's pricing
 * finds it, with the prices in force at the time asked (the catalog's figures, docs/PRICING.md).
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class PricesResourceIT {

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
