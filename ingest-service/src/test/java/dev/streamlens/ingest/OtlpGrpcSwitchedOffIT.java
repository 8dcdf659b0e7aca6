package dev.streamlens.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.infra.FreePorts;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code streamlens.ingest.otlp-grpc-enabled=false}: no gRPC port is opened, HTTP is served as before. */
@QuarkusTest
@TestProfile(OtlpGrpcSwitchedOffIT.GrpcOff.class)
@WithTestResource(KafkaTestResource.class)
class OtlpGrpcSwitchedOffIT {

    public static class GrpcOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("streamlens.ingest.otlp-grpc-enabled", "false");
        }
    }

    @Test
    void theGrpcPortIsNotOpenedAndHttpStillServes() {
        assertThat(FreePorts.isListening(GrpcExportClient.servicePort())).isFalse();
        given().get("/health").then().statusCode(200);
    }
}
