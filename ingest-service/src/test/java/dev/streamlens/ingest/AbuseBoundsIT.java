package dev.streamlens.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bounds on what a client can make the service hold are settings: here a 2 s idle timeout
 * and at most 3 metadata keys. A client that stalls mid-request is cut off; the bound on
 * metadata is the configured one, named in the answer.
 */
@QuarkusTest
@TestProfile(AbuseBoundsIT.TightBounds.class)
@WithTestResource(KafkaTestResource.class)
class AbuseBoundsIT {

    public static class TightBounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "2S", "streamlens.ingest.max-metadata-keys", "3");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void aClientThatStallsMidRequestIsCutOff() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", base.getPort())) {
            slow.setSoTimeout(15_000);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/llm/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 500\r\n\r\n{\"request_id\": ")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            InputStream in = slow.getInputStream();
            while (in.read() != -1) {
                // whatever it says before closing
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(seconds).as("closed after the idle timeout").isBetween(1.5, 10.0);
        }
        given().get("/health").then().statusCode(200);
    }

    @Test
    void metadataBeyondTheConfiguredKeysIsRefusedNamingIt() {
        String event =
                "{\"request_id\": \"meta-1\", \"tenant_id\": \"acme\", \"route\": \"chat\", \"model\": \"gpt-4o\", "
                        + "\"timestamp\": \"" + Instant.now()
                        + "\", \"metadata\": {\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4}}";
        given().contentType(ContentType.JSON)
                .body(event)
                .post("/v1/llm/request")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("metadata"));
        given().contentType(ContentType.JSON)
                .body(event.replace(", \"d\": 4", ""))
                .post("/v1/llm/request")
                .then()
                .statusCode(202);
    }
}
