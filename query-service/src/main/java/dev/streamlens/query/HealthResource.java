package dev.streamlens.query;

import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.util.Map;

/** The health call (README.md#reading-metrics-query-service-port-8081): healthy when PostgreSQL answers. */
@Path("/health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {

    @Inject
    AgroalDataSource dataSource;

    @GET
    public Response health() {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(2)) {
                return Response.ok(Map.of("status", "healthy")).build();
            }
        } catch (Exception e) {
            // falls through to unhealthy
        }
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .entity(Map.of("status", "unhealthy", "reason", "PostgreSQL is unreachable"))
                .build();
    }
}
