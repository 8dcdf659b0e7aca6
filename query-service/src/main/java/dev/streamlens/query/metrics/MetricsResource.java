package dev.streamlens.query.metrics;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.query.QueryAnswers;
import dev.streamlens.query.QuerySettings;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/metrics}, answered {@code {"metrics": [rows, newest
 * first], "count": N}}. StreamLens adds {@code from}, {@code to}, {@code granularity} and
 * {@code group_by} (docs/DESIGN.md#the-query-service-query-service).
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

    /** {@code group_by=tag:<key>}: the calls per value of a declared tag key (docs/ATTRIBUTION.md#custom-dimensions). */
    @Inject
    TagGrouping tags;

    private static final String TAG_GROUPING = "tag:";

    @GET
    @Operation(summary = "Per-window metrics of one tenant, newest first; rollups with granularity and group_by")
    public Response metrics(@BeanParam MetricsQueryRequest bound, @Context UriInfo uri) {
        String groupBy = uri.getQueryParameters().getFirst("group_by");
        if (groupBy != null && groupBy.trim().startsWith(TAG_GROUPING)) {
            return tags.groupedByTag(groupBy.trim().substring(TAG_GROUPING.length()), uri.getQueryParameters());
        }
        MetricsQueryRequest request = bound.withEmptyValuesFrom(uri.getQueryParameters());
        MetricsQueryParser.Result parsed = new MetricsQueryParser(settings, Clock.systemUTC()).parse(request);
        if (!parsed.isValid()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, parsed.errors());
        }
        if (isAnotherTenant(parsed.query())) {
            return QueryAnswers.anotherTenant();
        }
        return read(parsed.query());
    }

    /** With API keys on, a key reads its own tenant only (README.md#access-api-keys-tenants-rate-limits). */
    private boolean isAnotherTenant(MetricsQuery query) {
        return caller.get().filter(tenant -> !tenant.equals(query.tenantId())).isPresent();
    }

    private Response read(MetricsQuery query) {
        try {
            return answer(repository.find(query));
        } catch (SQLException e) {
            LOG.warn("metrics query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    /**
     * {@code {"metrics": [rows, newest first], "count": N}}; a rollup also says whether it was cut
     * and where to continue, since buckets are never cut silently.
     */
    private static Response answer(MetricsRepository.Page page) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("metrics", page.rows());
        body.put("count", page.rows().size());
        if (page.rollup()) {
            body.put("truncated", page.truncated());
            if (page.truncated()) {
                body.put("next_to", page.nextTo().toString());
            }
        }
        return Response.ok(body).build();
    }
}
