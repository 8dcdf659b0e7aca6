package dev.streamlens.ingest;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The original service's health call: healthy when Kafka answers, since it cannot work without it. */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {

    @Inject
    KafkaReachability kafka;

    @GET
    public Response health() {
        return kafka.isReachable()
                ? Answers.json(Response.Status.OK, Map.of("status", "healthy"))
                : Answers.json(Response.Status.SERVICE_UNAVAILABLE, Map.of("status", "unhealthy", "reason", "Kafka is unreachable"));
    }
}
