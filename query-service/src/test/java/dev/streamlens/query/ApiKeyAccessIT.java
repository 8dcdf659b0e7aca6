package dev.streamlens.query;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** API keys on: a key reads its own tenant's metrics and nobody else's (README.md#access-api-keys-tenants-rate-limits). */
@QuarkusTest
@TestProfile(ApiKeyProfile.class)
@WithTestResource(PostgresTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyAccessIT {

    private static final Instant FIRST = Instant.parse("2026-03-02T08:00:00Z");

    @BeforeAll
    void writeRows() throws Exception {
        MetricsFixture.write(
                PostgresTestResource.dataSource(),
                MetricsFixture.generate(7, "acme", new String[] {"chat"}, new String[] {"gpt-4o"}, FIRST, 5));
        MetricsFixture.write(
                PostgresTestResource.dataSource(),
                MetricsFixture.generate(8, "globex", new String[] {"chat"}, new String[] {"gpt-4o"}, FIRST, 5));
    }

    @Test
    void pricesApplyToEveryTenantSoOnlyAnEditorsKeyMayPublishThem() {
        given().header("Authorization", "Bearer " + ApiKeyProfile.ACME_KEY)
                .contentType("application/json")
                .body("{\"models\": {\"m\": {\"input_per_million\": 1, \"output_per_million\": 1}}}")
                .put("/v1/prices")
                .then()
                .statusCode(403)
                .body("errors[0].field", equalTo("tenant_id"));
        // globex is an editor (STREAMLENS_PRICE_EDITORS): past the check, its bad body is a 400.
        given().header("Authorization", "Bearer " + ApiKeyProfile.GLOBEX_KEY)
                .contentType("application/json")
                .body("{\"models\": {\"m\": {\"input_per_million\": -1, \"output_per_million\": 1}}}")
                .put("/v1/prices")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"));
    }

    @Test
    void withoutAKnownKeyTheAnswerIs401() {
        given().queryParam("tenant_id", "acme")
                .get("/v1/metrics")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body("errors[0].field", equalTo("Authorization"));
        given().header("Authorization", "Bearer wrong")
                .queryParam("tenant_id", "acme")
                .get("/v1/metrics")
                .then()
                .statusCode(401);
        given().get("/health").then().statusCode(200);
    }

    @Test
    void aKeyReadsItsOwnTenantOnly() {
        given().header("Authorization", "Bearer " + ApiKeyProfile.ACME_KEY)
                .queryParam("tenant_id", "acme")
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .body("count", greaterThan(0))
                .body("metrics.tenant_id", everyItem(equalTo("acme")));
        given().header("X-API-Key", ApiKeyProfile.ACME_KEY)
                .queryParam("tenant_id", "globex")
                .get("/v1/metrics")
                .then()
                .statusCode(403)
                .body("errors[0].field", equalTo("tenant_id"));
        given().header("X-API-Key", ApiKeyProfile.ACME_KEY)
                .queryParam("tenant_id", "globex")
                .queryParam("granularity", "1h")
                .queryParam("group_by", "none")
                .get("/v1/metrics")
                .then()
                .statusCode(403);
        given().header("Authorization", "Bearer " + ApiKeyProfile.GLOBEX_KEY)
                .queryParam("tenant_id", "globex")
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .body("metrics.tenant_id", everyItem(equalTo("globex")));
    }

    @Test
    void aKeyReadsAndForgetsItsOwnTenantsEndUsersOnly() {
        for (String path : new String[] {"/v1/users/top", "/v1/sessions/top"}) {
            given().header("X-API-Key", ApiKeyProfile.ACME_KEY)
                    .queryParam("tenant_id", "acme")
                    .get(path)
                    .then()
                    .statusCode(200);
            given().header("X-API-Key", ApiKeyProfile.ACME_KEY)
                    .queryParam("tenant_id", "globex")
                    .get(path)
                    .then()
                    .statusCode(403)
                    .body("errors[0].field", equalTo("tenant_id"));
            given().queryParam("tenant_id", "acme").get(path).then().statusCode(401);
        }
        given().header("X-API-Key", ApiKeyProfile.ACME_KEY)
                .queryParam("tenant_id", "globex")
                .queryParam("user_id", "u-1")
                .get("/v1/users/figures")
                .then()
                .statusCode(403);
        given().header("X-API-Key", ApiKeyProfile.ACME_KEY)
                .queryParam("tenant_id", "globex")
                .delete("/v1/users/u-1")
                .then()
                .statusCode(403);
    }

    @Test
    void theTenantPickerListsOnlyTheKeysTenantAndProgressNeedsAKey() {
        given().header("Authorization", "Bearer " + ApiKeyProfile.ACME_KEY)
                .get("/v1/tenants")
                .then()
                .statusCode(200)
                .body("tenants", equalTo(java.util.List.of("acme")));
        given().get("/v1/tenants").then().statusCode(401);
        given().get("/v1/progress").then().statusCode(401);
        given().header("Authorization", "Bearer " + ApiKeyProfile.GLOBEX_KEY)
                .get("/v1/progress")
                .then()
                .statusCode(200);
    }

    @Test
    void aKeyManagesItsOwnTenantsAlertRulesOnly() {
        String acme = "Bearer " + ApiKeyProfile.ACME_KEY;
        String globex = "Bearer " + ApiKeyProfile.GLOBEX_KEY;
        given().header("Authorization", acme)
                .contentType("application/json")
                .body("{\"rule_id\":\"acme-timeouts\",\"kind\":\"timeouts\",\"threshold\":3}")
                .post("/v1/alert-rules")
                .then()
                .statusCode(201)
                .body("tenant_id", equalTo("acme"));
        given().header("Authorization", acme)
                .contentType("application/json")
                .body("{\"tenant_id\":\"globex\",\"kind\":\"timeouts\",\"threshold\":3}")
                .post("/v1/alert-rules")
                .then()
                .statusCode(403)
                .body("errors[0].field", equalTo("tenant_id"));
        given().header("Authorization", globex)
                .get("/v1/alert-rules/acme-timeouts")
                .then()
                .statusCode(404);
        given().header("Authorization", globex)
                .delete("/v1/alert-rules/acme-timeouts")
                .then()
                .statusCode(404);
        given().header("Authorization", globex)
                .contentType("application/json")
                .body("{\"kind\":\"timeouts\",\"threshold\":5}")
                .put("/v1/alert-rules/acme-timeouts")
                .then()
                .statusCode(409);
        given().header("Authorization", globex)
                .get("/v1/alert-rules")
                .then()
                .statusCode(200)
                .body("count", equalTo(0));
        given().header("Authorization", acme)
                .get("/v1/alert-rules")
                .then()
                .statusCode(200)
                .body("rules.rule_id", equalTo(java.util.List.of("acme-timeouts")));
        given().header("Authorization", globex)
                .queryParam("tenant_id", "acme")
                .get("/v1/alerts")
                .then()
                .statusCode(403);
        given().get("/v1/alert-rules").then().statusCode(401);
        double threshold = given().header("Authorization", acme)
                .get("/v1/alert-rules/acme-timeouts")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getDouble("threshold");
        org.assertj.core.api.Assertions.assertThat(threshold).isEqualTo(3.0);
    }
}
