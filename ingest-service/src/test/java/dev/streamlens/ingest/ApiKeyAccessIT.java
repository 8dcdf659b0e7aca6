package dev.streamlens.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * API keys on (README.md#access-api-keys-tenants-rate-limits): who may write what, against a
 * real broker. A key writes only its own tenant's requests; responses are recorded with the key's
 * tenant; limits answer 429.
 */
@QuarkusTest
@TestProfile(ApiKeyProfile.class)
@WithTestResource(KafkaTestResource.class)
class ApiKeyAccessIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void callsWithoutAKnownKeyAre401AndHealthStaysOpen() {
        String request = request("acme", id());
        given().contentType(ContentType.JSON)
                .body(request)
                .post("/v1/llm/request")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body("errors[0].field", equalTo("Authorization"));
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer not-a-key")
                .body(request)
                .post("/v1/llm/request")
                .then()
                .statusCode(401)
                .body("errors[0].reason", equalTo("unknown API key"));
        given().contentType(ContentType.JSON)
                .header("Authorization", "Basic YWNtZTp4")
                .body(request)
                .post("/v1/llm/events")
                .then()
                .statusCode(401);
        given().get("/health").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void aKeyWritesItsOwnTenantsRequestsOnly() throws Exception {
        String own = id();
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.ACME_KEY)
                .body(request("acme", own))
                .post("/v1/llm/request")
                .then()
                .statusCode(202);
        String other = id();
        given().contentType(ContentType.JSON)
                .header("X-API-Key", ApiKeyProfile.ACME_KEY)
                .body(request("globex", other))
                .post("/v1/llm/request")
                .then()
                .statusCode(403)
                .body("errors[0].field", equalTo("tenant_id"));
        List<String> keys = TopicReader.readAll(Topics.REQUESTS).stream()
                .map(TopicReader.Entry::key)
                .toList();
        assertThat(keys).contains(own).doesNotContain(other);
    }

    @Test
    void responsesAreRecordedWithTheKeysTenant() throws Exception {
        String id = id();
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.GLOBEX_KEY)
                .body(response(id, null))
                .post("/v1/llm/response")
                .then()
                .statusCode(202);
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.GLOBEX_KEY)
                .body(response(id(), "acme"))
                .post("/v1/llm/response")
                .then()
                .statusCode(403);
        JsonNode written = JSON.readTree(TopicReader.readAll(Topics.RESPONSES).stream()
                .filter(e -> id.equals(e.key()))
                .findFirst()
                .orElseThrow()
                .value());
        assertThat(written.get("tenant_id").asText()).isEqualTo("globex");
    }

    @Test
    void otlpSpansCountForTheKeysTenantAndNamingAnotherTenantWritesNothing() throws Exception {
        String trace = java.util.UUID.randomUUID().toString().replace("-", "");
        long start = java.time.Instant.now().minusSeconds(5).toEpochMilli() * 1_000_000L;
        String export = """
                {"resourceSpans": [{"resource": {"attributes": [%s]}, "scopeSpans": [{"spans": [
                  {"traceId": "%s", "spanId": "%s", "startTimeUnixNano": "%d", "endTimeUnixNano": "%d",
                   "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                  {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}]}]}]}]}""";
        given().contentType(ContentType.JSON)
                .body(export.formatted("", trace, "4444444444444444", start, start + 1000))
                .post("/v1/traces")
                .then()
                .statusCode(401);
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.ACME_KEY)
                .body(export.formatted("", trace, "4444444444444444", start, start + 1000))
                .post("/v1/traces")
                .then()
                .statusCode(200);
        String globex = "{\"key\": \"tenant.id\", \"value\": {\"stringValue\": \"globex\"}}";
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.ACME_KEY)
                .body(export.formatted(globex, trace, "5555555555555555", start, start + 1000))
                .post("/v1/traces")
                .then()
                .statusCode(403)
                .body("code", equalTo(7));
        var requests = TopicReader.readAll(Topics.REQUESTS);
        JsonNode own = JSON.readTree(requests.stream()
                .filter(e -> e.key().equals(trace + "-4444444444444444"))
                .findFirst()
                .orElseThrow()
                .value());
        assertThat(own.get("tenant_id").asText()).isEqualTo("acme");
        assertThat(requests).extracting(TopicReader.Entry::key).doesNotContain(trace + "-5555555555555555");
    }

    @Test
    void otlpExportsShareTheTenantsLimitAnd429TellsTheExporterWhenToRetry() throws Exception {
        // "metered" may send 5 events/s with bursts of 10; a span is two events.
        Response refused = null;
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 10 && refused == null; i++) {
            String trace = UUID.randomUUID().toString().replace("-", "");
            Response answer = given().contentType(ContentType.JSON)
                    .header("Authorization", "Bearer " + ApiKeyProfile.METERED_KEY)
                    .body(otlpExport(trace, 4))
                    .post("/v1/traces");
            if (answer.statusCode() == 200) {
                sent.add(trace);
            } else {
                refused = answer;
                refused.then()
                        .statusCode(429)
                        .contentType(ContentType.JSON)
                        .body("code", equalTo(8)) // google.rpc.Code RESOURCE_EXHAUSTED
                        .body("message", containsString("5 events per second"));
                assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 2);
                List<String> keys = TopicReader.readAll(Topics.REQUESTS).stream()
                        .map(TopicReader.Entry::key)
                        .toList();
                assertThat(keys)
                        .as("a refused export writes none of its spans")
                        .noneMatch(key -> key.startsWith(trace));
            }
        }
        assertThat(refused).as("refused within 10 exports of 8 events").isNotNull();
        assertThat(sent)
                .as("the burst of 10 events lets at most one export of 8 through at once")
                .hasSizeLessThanOrEqualTo(3);
        // 6 spans (12 events) could never fit a bucket of 10: retrying would not help, so 413, not 429
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.METERED_KEY)
                .body(otlpExport(UUID.randomUUID().toString().replace("-", ""), 6))
                .post("/v1/traces")
                .then()
                .statusCode(413)
                .header("Retry-After", (String) null);
    }

    @Test
    void otlpOverGrpcTakesTheKeyFromTheMetadataAndAnswersWithGrpcCodes() throws Exception {
        String trace = ProtoSpans.newTrace();
        try (GrpcExportClient client = new GrpcExportClient(GrpcExportClient.servicePort())) {
            byte[] one = ProtoSpans.export(ProtoSpans.chat(trace, 1)).toByteArray();
            assertThat(client.export(one, java.util.Optional.empty(), false).code())
                    .isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
            assertThat(client.export(one, java.util.Optional.of("not-a-key"), false)
                            .code())
                    .isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
            assertThat(client.export(one, java.util.Optional.of(ApiKeyProfile.ACME_KEY), true)
                            .ok())
                    .isTrue();
            byte[] globex = ProtoSpans.export(
                            List.of(ProtoSpans.attr("tenant.id", "globex")), ProtoSpans.chat(trace, 2))
                    .toByteArray();
            GrpcExportClient.Answer forbidden =
                    client.export(globex, java.util.Optional.of(ApiKeyProfile.ACME_KEY), false);
            assertThat(forbidden.code()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);

            // "metered-grpc": 5 events/s, a bucket of 10; four spans are eight events.
            GrpcExportClient.Answer limited = null;
            for (int i = 0; i < 10 && limited == null; i++) {
                String own = ProtoSpans.newTrace();
                byte[] four = ProtoSpans.export(
                                ProtoSpans.chat(own, 1),
                                ProtoSpans.chat(own, 2),
                                ProtoSpans.chat(own, 3),
                                ProtoSpans.chat(own, 4))
                        .toByteArray();
                GrpcExportClient.Answer answer =
                        client.export(four, java.util.Optional.of(ApiKeyProfile.METERED_GRPC_KEY), false);
                if (!answer.ok()) {
                    limited = answer;
                }
            }
            assertThat(limited).as("refused within 10 exports of 8 events").isNotNull();
            assertThat(limited.code()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
            assertThat(limited.retryDelaySeconds()).as("RetryInfo: retry later").isBetween(1L, 2L);
            String big = ProtoSpans.newTrace();
            byte[] six = ProtoSpans.export(
                            ProtoSpans.chat(big, 1),
                            ProtoSpans.chat(big, 2),
                            ProtoSpans.chat(big, 3),
                            ProtoSpans.chat(big, 4),
                            ProtoSpans.chat(big, 5),
                            ProtoSpans.chat(big, 6))
                    .toByteArray();
            GrpcExportClient.Answer overBurst =
                    client.export(six, java.util.Optional.of(ApiKeyProfile.METERED_GRPC_KEY), false);
            assertThat(overBurst.code()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
            assertThat(overBurst.retryDelaySeconds())
                    .as("12 events never fit a bucket of 10: no RetryInfo, so OTLP clients do not retry")
                    .isNull();
        }
        var requests = TopicReader.readAll(Topics.REQUESTS);
        JsonNode own = JSON.readTree(requests.stream()
                .filter(e -> e.key().equals(trace + "-" + ProtoSpans.spanId(1)))
                .findFirst()
                .orElseThrow()
                .value());
        assertThat(own.get("tenant_id").asText()).isEqualTo("acme");
        assertThat(requests).extracting(TopicReader.Entry::key).doesNotContain(trace + "-" + ProtoSpans.spanId(2));
    }

    /** OTLP/JSON with {@code spans} GenAI chat spans in one trace, ended a few seconds ago. */
    private static String otlpExport(String trace, int spans) {
        long start = Instant.now().minusSeconds(5).toEpochMilli() * 1_000_000L;
        StringBuilder body = new StringBuilder("{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [");
        for (int i = 0; i < spans; i++) {
            body.append(i == 0 ? "" : ",").append("""
                    {"traceId": "%s", "spanId": "%016x", "startTimeUnixNano": "%d", "endTimeUnixNano": "%d",
                     "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                    {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}]}""".formatted(trace, i + 1, start, start + 1_000_000));
        }
        return body.append("]}]}]}").toString();
    }

    @Test
    void aBatchWithAnotherTenantsEventWritesNothing() throws Exception {
        String mine = id();
        String theirs = id();
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.ACME_KEY)
                .body("[" + typed("request", request("acme", mine)) + "," + typed("request", request("globex", theirs))
                        + "]")
                .post("/v1/llm/events")
                .then()
                .statusCode(403)
                .body("errors[0].index", equalTo(1));
        List<String> keys = TopicReader.readAll(Topics.REQUESTS).stream()
                .map(TopicReader.Entry::key)
                .toList();
        assertThat(keys).doesNotContain(mine, theirs);
    }

    @Test
    void overItsLimitATenantGets429WithRetryAfterCountedInMetrics() {
        // "metered" may send 5 events/s with bursts of 10.
        int accepted = 0;
        Response refused = null;
        long started = System.nanoTime();
        for (int i = 0; i < 30 && refused == null; i++) {
            Response answer = given().contentType(ContentType.JSON)
                    .header("Authorization", "Bearer " + ApiKeyProfile.METERED_KEY)
                    .body(request("metered", id()))
                    .post("/v1/llm/request");
            if (answer.statusCode() == 202) {
                accepted++;
            } else {
                refused = answer;
            }
        }
        assertThat(refused).as("refused within 30 calls").isNotNull();
        // the burst of 10, plus what refilled at 5/s while the calls (each waiting for Kafka) went on
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(accepted).isBetween(10, 10 + (int) Math.ceil(5 * seconds));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 2);
        assertThat(refused.jsonPath().getString("errors[0].reason")).contains("5 events per second");
        // a batch counts each of its events: 3 at once do not fit what is left
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.METERED_KEY)
                .body("[" + typed("request", request("metered", id())) + ","
                        + typed("request", request("metered", id())) + "," + typed("request", request("metered", id()))
                        + "]")
                .post("/v1/llm/events")
                .then()
                .statusCode(429);
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.ACME_KEY)
                .body(request("acme", id()))
                .post("/v1/llm/request")
                .then()
                .statusCode(202);
        // a batch larger than the bucket could ever hold is not told to wait: 413, naming the limit
        StringBuilder eleven = new StringBuilder("[");
        for (int i = 0; i < 11; i++) {
            eleven.append(i == 0 ? "" : ",").append(typed("request", request("metered", id())));
        }
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ApiKeyProfile.METERED_KEY)
                .body(eleven.append("]").toString())
                .post("/v1/llm/events")
                .then()
                .statusCode(413)
                .body("errors[0].reason", containsString("more than its limit lets through at once (10)"));
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("streamlens_ingest_events_rate_limited_total{tenant=\"metered\"}"));
    }

    @Test
    void aKeyAddedToTheFileWorksWithoutARestart() throws Exception {
        String newKey = "initech-key-" + UUID.randomUUID();
        String request = request("initech", id());
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + newKey)
                .body(request)
                .post("/v1/llm/request")
                .then()
                .statusCode(401);
        ApiKeyProfile.writeKeys(ApiKeyProfile.profileKeys() + "," + ApiKeyProfile.entry("initech", newKey));
        Files.setLastModifiedTime(
                ApiKeyProfile.KEYS_FILE, FileTime.from(Instant.now().plusSeconds(3)));
        Thread.sleep(1100);
        given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + newKey)
                .body(request)
                .post("/v1/llm/request")
                .then()
                .statusCode(202);
    }

    private static String id() {
        return "auth-" + UUID.randomUUID();
    }

    private static String request(String tenant, String id) {
        return "{\"request_id\": \"" + id + "\", \"tenant_id\": \"" + tenant
                + "\", \"route\": \"chat\", \"model\": \"gpt-4o\", " + "\"timestamp\": \"" + Instant.now()
                + "\", \"prompt_tokens\": 10}";
    }

    private static String response(String id, String tenant) {
        return "{\"request_id\": \"" + id + "\", \"timestamp\": \"" + Instant.now() + "\", \"latency_ms\": 100"
                + (tenant == null ? "" : ", \"tenant_id\": \"" + tenant + "\"") + "}";
    }

    private static String typed(String type, String event) {
        return "{\"type\": \"" + type + "\", " + event.substring(1);
    }
}
