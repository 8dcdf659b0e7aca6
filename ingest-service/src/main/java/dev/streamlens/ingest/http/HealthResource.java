package dev.streamlens.ingest.http;

import dev.streamlens.ingest.kafka.KafkaReachability;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The health call (README.md#sending-events-ingest-service-port-8080): healthy when Kafka answers, since it cannot work without it. */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {

    @Inject
    KafkaReachability kafka;

    @GET
    public Response health() {
        return kafka.isReachable()
                ? IngestAnswers.json(Response.Status.OK, Map.of("status", "healthy"))
                : IngestAnswers.json(
                        Response.Status.SERVICE_UNAVAILABLE,
                        Map.of("status", "unhealthy", "reason", "Kafka is unreachable"));
    }
}
