package dev.streamlens.query;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.FieldError;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/metrics}, answered as the original service did: {@code {"metrics": [rows, newest
 * first], "count": N}}. Beyond the seed: {@code from}, {@code to}, {@code granularity} and
 * {@code group_by}.
 */
@Path("/v1/metrics")
@Produces(MediaType.APPLICATION_JSON)
public class MetricsResource {

    private static final Logger LOG = Logger.getLogger(MetricsResource.class);

    @Inject
    MetricsRepository repository;

    @Inject
    QuerySettings settings;

    @Inject
    CallerTenant caller;

    /** The API's error shape: the first problem as text, then every field with its reason. */
    static Response error(Response.Status status, List<FieldError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", errors.get(0).field() + " " + errors.get(0).reason());
        body.put("errors", errors);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private static String given(MultivaluedMap<String, String> sent, String name, String value) {
        return value == null && sent.containsKey(name) ? "" : value;
    }

    @GET
    @Operation(summary = "Per-window metrics of one tenant, newest first; rollups with granularity and group_by")
    public Response metrics(@QueryParam("tenant_id") String tenantId, @QueryParam("route") String route,
                            @QueryParam("model") String model, @QueryParam("limit") String limit,
                            @QueryParam("from") String from, @QueryParam("to") String to,
                            @QueryParam("granularity") String granularity, @QueryParam("group_by") String groupBy,
                            @Context UriInfo uri) {
        // A parameter sent with an empty value ("route=") arrives as absent: read it as empty instead.
        MultivaluedMap<String, String> sent = uri.getQueryParameters();
        MetricsQueryParser.Result parsed = new MetricsQueryParser(settings, Clock.systemUTC()).parse(
                given(sent, "tenant_id", tenantId), given(sent, "route", route), given(sent, "model", model),
                given(sent, "limit", limit), given(sent, "from", from), given(sent, "to", to),
                given(sent, "granularity", granularity), given(sent, "group_by", groupBy));
        if (parsed.query() == null) {
            return error(Response.Status.BAD_REQUEST, parsed.errors());
        }
        if (caller.get().filter(tenant -> !tenant.equals(parsed.query().tenantId())).isPresent()) {
            return error(Response.Status.FORBIDDEN, List.of(new FieldError("tenant_id",
                    "belongs to another tenant than the API key")));
        }
        try {
            MetricsRepository.Page page = repository.find(parsed.query());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("metrics", page.rows());
            body.put("count", page.rows().size());
            if (page.rollup()) {
                // Never cut buckets silently: say so, and where to continue.
                body.put("truncated", page.truncated());
                if (page.truncated()) {
                    body.put("next_to", page.nextTo().toString());
                }
            }
            return Response.ok(body).build();
        } catch (SQLException e) {
            LOG.warn("metrics query failed", e);
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", 1)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("error", "the metrics store is unavailable; try again")).build();
        }
    }
}
