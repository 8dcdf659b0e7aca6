package dev.streamlens.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Go prototype's two calls (README.md#sending-events-ingest-service-port-8080) against a real
 * broker: what is accepted, what lands in Kafka, what is refused and how.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class SingleEventIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void originalPayloadsAreAcceptedVerbatimAndLandKeyedByRequestId() throws Exception {
        JsonNode payloads;
        try (InputStream in = getClass().getResourceAsStream("/original-payloads.json")) {
            payloads = JSON.readTree(in);
        }
        for (JsonNode request : payloads.get("requests")) {
            given().contentType(ContentType.JSON)
                    .body(request.toString())
                    .when()
                    .post("/v1/llm/request")
                    .then()
                    .statusCode(202)
                    .body("status", equalTo("accepted"));
        }
        for (JsonNode response : payloads.get("responses")) {
            given().contentType(ContentType.JSON)
                    .body(response.toString())
                    .when()
                    .post("/v1/llm/response")
                    .then()
                    .statusCode(202)
                    .body("status", equalTo("accepted"));
        }

        List<TopicReader.Entry> requests = TopicReader.readAll(Topics.REQUESTS);
        TopicReader.Entry seed = requests.stream()
                .filter(e -> "uuid".equals(e.key()))
                .findFirst()
                .orElseThrow();
        JsonNode value = JSON.readTree(seed.value());
        assertThat(value.get("tenant_id").asText()).isEqualTo("acme-corp");
        assertThat(value.get("timestamp").asText()).isEqualTo("2025-11-19T10:00:00Z");
        assertThat(value.get("user_id_hash").asText()).isEqualTo("sha256-hash");
        assertThat(value.get("metadata").get("country").asText()).isEqualTo("SE");
        TopicReader.Entry test = requests.stream()
                .filter(e -> "test-0b7c1f8e-5d0e-4c55-9d1e-2f4b8a7c6d10".equals(e.key()))
                .findFirst()
                .orElseThrow();
        assertThat(JSON.readTree(test.value()).get("metadata").get("test").isBoolean())
                .isTrue();

        List<TopicReader.Entry> responses = TopicReader.readAll(Topics.RESPONSES);
        assertThat(responses).extracting(TopicReader.Entry::key).contains("uuid", "req-456", "req-123");
        JsonNode failed = JSON.readTree(responses.stream()
                .filter(e -> "req-456".equals(e.key()))
                .findFirst()
                .orElseThrow()
                .value());
        assertThat(failed.get("error").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(failed.get("latency_ms").asDouble()).isEqualTo(1500.0);
    }

    @Test
    void everyOffendingFieldIsNamedAtOnce() {
        given().contentType(ContentType.JSON)
                .body("{\"request_id\": 42, \"tenant_id\": \"\", \"route\": \"chat\\u0000\", "
                        + "\"timestamp\": \"2025-11-20T10:00:30\", \"prompt_tokens\": -1, \"metadata\": [1]}")
                .when()
                .post("/v1/llm/request")
                .then()
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("status", equalTo("rejected"))
                .body(
                        "errors.field",
                        hasItems(
                                "request_id", "tenant_id", "route", "model", "timestamp", "prompt_tokens", "metadata"));

        given().contentType(ContentType.JSON)
                .body("{\"request_id\": \"r\", \"timestamp\": \"2025-11-20T10:00:30Z\", \"latency_ms\": \"fast\", "
                        + "\"completion_tokens\": 1.5, \"error\": {\"code\": 500}}")
                .when()
                .post("/v1/llm/response")
                .then()
                .statusCode(400)
                .body("errors.field", hasItems("latency_ms", "completion_tokens", "error"));
    }

    @Test
    void timestampsThePipelineCannotRepresentAre400sNamingTheFieldAndRfc3339EdgesAreAccepted() {
        for (String ts : new String[] {
            "-300000000-01-01T00:00:00Z",
            "+300000000-01-01T00:00:00Z",
            "12025-11-20T10:00:30Z",
            "0000-01-01T00:00:00+00:01",
            "2025-11-20T10:00:60Z",
            "2025-02-29T10:00:00Z"
        }) {
            given().contentType(ContentType.JSON)
                    .body("{\"request_id\":\"odd\",\"tenant_id\":\"acme\",\"route\":\"chat\",\"model\":\"gpt-4\","
                            + "\"timestamp\":\"" + ts + "\"}")
                    .when()
                    .post("/v1/llm/request")
                    .then()
                    .statusCode(400)
                    .body("errors.field", hasItems("timestamp"));
        }
        // A leap second (folded onto 23:59:59) and a fraction finer than nanoseconds are valid RFC 3339.
        for (String ts :
                new String[] {"2016-12-31T23:59:60Z", "2025-11-20T10:00:30.1234567890123Z", "2025-11-20T23:30:00+23:30"
                }) {
            given().contentType(ContentType.JSON)
                    .body("{\"request_id\":\"edge\",\"timestamp\":\"" + ts + "\"}")
                    .when()
                    .post("/v1/llm/response")
                    .then()
                    .statusCode(202);
        }
    }

    @Test
    void badBodiesGetA4xxWithJsonAndTheServiceKeepsWorking() {
        given().contentType(ContentType.JSON)
                .body("{\"request_id\": ")
                .when()
                .post("/v1/llm/request")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"));
        given().contentType(ContentType.JSON)
                .body("")
                .when()
                .post("/v1/llm/response")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"));
        given().contentType(ContentType.JSON)
                .body("[" + "[".repeat(5000) + "]".repeat(5000) + "]")
                .when()
                .post("/v1/llm/request")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"));
        given().contentType(ContentType.JSON)
                .body("{\"request_id\": \"" + "x".repeat(70_000) + "\"}")
                .when()
                .post("/v1/llm/request")
                .then()
                .statusCode(413)
                .body("errors[0].field", equalTo("body"));
        given().contentType("application/xml")
                .body("<request/>")
                .when()
                .post("/v1/llm/request")
                .then()
                .statusCode(415)
                .contentType(ContentType.JSON)
                .body("errors[0].field", equalTo("Content-Type"));
        given().when().get("/v1/llm/request").then().statusCode(405).contentType(ContentType.JSON);
        given().when().post("/v1/llm/nothing-here").then().statusCode(404).contentType(ContentType.JSON);

        String id = "after-abuse-" + UUID.randomUUID();
        given().contentType(ContentType.JSON)
                .body("{\"request_id\": \"" + id
                        + "\", \"tenant_id\": \"acme\", \"route\": \"chat\", \"model\": \"gpt-4\", "
                        + "\"timestamp\": \"2025-11-20T10:00:30.000Z\", \"prompt_tokens\": 100}")
                .when()
                .post("/v1/llm/request")
                .then()
                .statusCode(202);
        assertThat(TopicReader.readAll(Topics.REQUESTS))
                .extracting(TopicReader.Entry::key)
                .contains(id);
    }

    @Test
    void curlsDefaultContentTypeIsReadAsJsonLikeTheOriginalService() {
        given().contentType("application/x-www-form-urlencoded")
                .body("{\"request_id\": \"curl-1\", \"timestamp\": \"2025-11-20T10:00:31.200Z\", \"latency_ms\": 1200}")
                .when()
                .post("/v1/llm/response")
                .then()
                .statusCode(202);
    }

    @Test
    void healthMetricsAndOpenApiAnswer() {
        given().when().get("/health").then().statusCode(200).body("status", equalTo("healthy"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/live").then().statusCode(200);
        given().contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/v1/llm/request")
                .then()
                .statusCode(400);
        given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("streamlens_ingest_events_rejected_total"))
                .body(containsString("streamlens_ingest_produce_seconds"));
        given().when().get("/q/openapi").then().statusCode(200).body(containsString("/v1/llm/events"));
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }
}
