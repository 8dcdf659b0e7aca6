package dev.streamlens.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The batch call: JSON arrays and NDJSON, mixed good and bad items, limits. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class BatchIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mixedBatchWritesTheGoodItemsAndReportsTheBadOnesByIndex() throws Exception {
        String id = "batch-" + UUID.randomUUID();
        String body = "[" + request(id + "-a") + ","
                + "{\"type\": \"request\", \"request_id\": \"" + id + "-bad\"}" + ","
                + response(id + "-a") + ","
                + "{\"type\": \"telemetry\", \"request_id\": \"x\"}" + ","
                + "42" + "]";
        given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/v1/llm/events")
                .then()
                .statusCode(207)
                .body("status", equalTo("partial"))
                .body("accepted", equalTo(2))
                .body("rejected", equalTo(3))
                .body("errors.index", contains(1, 3, 4))
                .body("errors[0].errors.field", contains("tenant_id", "route", "model", "timestamp"))
                .body("errors[1].errors[0].field", equalTo("type"))
                .body("errors[2].errors[0].field", equalTo("type"));

        assertThat(TopicReader.readAll(Topics.REQUESTS))
                .extracting(TopicReader.Entry::key)
                .contains(id + "-a")
                .doesNotContain(id + "-bad");
        var written = TopicReader.readAll(Topics.RESPONSES).stream()
                .filter(e -> e.key().equals(id + "-a"))
                .toList();
        assertThat(written).hasSize(1);
        assertThat(JSON.readTree(written.get(0).value()).has("type"))
                .as("the batch's type field is not stored")
                .isFalse();
    }

    @Test
    void ndjsonBatchOfGoodItemsIsAccepted() {
        String id = "ndjson-" + UUID.randomUUID();
        String body = request(id + "-1") + "\n" + response(id + "-1") + "\n\n" + request(id + "-2") + "\n";
        given().contentType("application/x-ndjson")
                .body(TopicReader.utf8(body))
                .when()
                .post("/v1/llm/events")
                .then()
                .statusCode(202)
                .body("status", equalTo("accepted"))
                .body("accepted", equalTo(3));
        assertThat(TopicReader.readAll(Topics.REQUESTS))
                .extracting(TopicReader.Entry::key)
                .contains(id + "-1", id + "-2");
    }

    @Test
    void ndjsonLineThatIsNotJsonIsOneBadItem() {
        String id = "ndjson-bad-" + UUID.randomUUID();
        given().contentType("application/x-ndjson")
                .body(TopicReader.utf8(request(id) + "\n{not json\n"))
                .when()
                .post("/v1/llm/events")
                .then()
                .statusCode(207)
                .body("errors[0].index", equalTo(1))
                .body("errors[0].errors[0].field", equalTo("body"));
    }

    @Test
    void batchesThatAreNotBatchesOrTooBigAreRefused() {
        given().contentType(ContentType.JSON)
                .body("{\"type\": \"request\"}")
                .when()
                .post("/v1/llm/events")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"));
        given().contentType(ContentType.JSON)
                .body("[]")
                .when()
                .post("/v1/llm/events")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("body"));
        given().contentType(ContentType.JSON)
                .body("[" + String.join(",", java.util.Collections.nCopies(1001, "{}")) + "]")
                .when()
                .post("/v1/llm/events")
                .then()
                .statusCode(413);
        given().contentType(ContentType.JSON)
                .body("[{\"type\": \"request\"}, {\"type\": 7}]")
                .when()
                .post("/v1/llm/events")
                .then()
                .statusCode(400)
                .body("status", equalTo("rejected"))
                .body("accepted", equalTo(0));
        given().contentType("text/csv")
                .body(TopicReader.utf8("a,b"))
                .when()
                .post("/v1/llm/events")
                .then()
                .statusCode(415);
    }

    private static String request(String id) {
        return "{\"type\": \"request\", \"request_id\": \"" + id + "\", \"tenant_id\": \"acme\", \"route\": \"chat\", "
                + "\"model\": \"gpt-4o\", \"timestamp\": \"2025-11-20T10:00:30Z\", \"prompt_tokens\": 10}";
    }

    private static String response(String id) {
        return "{\"type\": \"response\", \"request_id\": \"" + id + "\", \"timestamp\": \"2025-11-20T10:00:31Z\", "
                + "\"latency_ms\": 1000, \"completion_tokens\": 5, \"error\": null}";
    }
}
