package dev.streamlens.query.metrics;

import dev.streamlens.query.QueryAnswers;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/progress}: how far the results are complete (docs/DESIGN.md#freshness). The same
 * for every tenant: it is the job's event time, not anyone's data.
 */
@Path("/v1/progress")
@Produces(MediaType.APPLICATION_JSON)
public class ProgressResource {

    private static final Logger LOG = Logger.getLogger(ProgressResource.class);

    @Inject
    PipelineProgressRepository progress;

    @GET
    @Operation(summary = "The job's committed watermark: windows closed up to, final up to")
    public Response progress() {
        try {
            Optional<Freshness> freshness = progress.read();
            if (freshness.isPresent()) {
                return Response.ok(freshness.get()).build();
            }
            Map<String, Object> none = new LinkedHashMap<>();
            none.put("watermark", null);
            none.put("windows_closed_until", null);
            none.put("final_until", null);
            none.put("message", "the job has not committed results yet");
            return Response.ok(none).build();
        } catch (SQLException e) {
            LOG.warn("progress query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }
}
