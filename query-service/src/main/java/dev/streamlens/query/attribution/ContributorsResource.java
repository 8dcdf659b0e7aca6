package dev.streamlens.query.attribution;

import static dev.streamlens.query.attribution.AttributionAnswers.byName;
import static dev.streamlens.query.attribution.AttributionAnswers.isAnotherTenant;
import static dev.streamlens.query.attribution.AttributionAnswers.range;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Contributors.Figure;
import dev.streamlens.query.QueryAnswers;
import dev.streamlens.query.metrics.MetricsQueryParser;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * Who the calls were for (docs/ATTRIBUTION.md): the top end users and sessions of a tenant over
 * a range, and one user's or session's figures over time. Answers come from the rows' bounded
 * summaries: a figure is exact unless its entry says {@code "exact": false}, and then
 * {@code at_most} gives its upper bound.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ContributorsResource {

    private static final Logger LOG = Logger.getLogger(ContributorsResource.class);

    @Inject
    ContributorsRepository repository;

    @Inject
    CallerTenant caller;

    @GET
    @Path("/users/top")
    @Operation(summary = "The end users with the most cost, requests, tokens or errors over a range, and everyone else")
    public Response topUsers(@Context UriInfo uri) {
        return top(ContributorKind.USERS, uri.getQueryParameters());
    }

    @GET
    @Path("/sessions/top")
    @Operation(summary = "The sessions with the most cost, requests, tokens or errors over a range, and everyone else")
    public Response topSessions(@Context UriInfo uri) {
        return top(ContributorKind.SESSIONS, uri.getQueryParameters());
    }

    @GET
    @Path("/users/figures")
    @Operation(summary = "One end user's figures (user_id) per bucket over a range")
    public Response userFigures(@Context UriInfo uri) {
        return overTime(ContributorKind.USERS, uri.getQueryParameters());
    }

    @GET
    @Path("/sessions/figures")
    @Operation(summary = "One session's figures (session_id) per bucket over a range")
    public Response sessionFigures(@Context UriInfo uri) {
        return overTime(ContributorKind.SESSIONS, uri.getQueryParameters());
    }

    @DELETE
    @Path("/users/{user_id}")
    @Operation(summary = "Forgets one end user in every stored row of a tenant (a privacy deletion)")
    public Response forgetUser(@PathParam("user_id") String id, @Context UriInfo uri) {
        return forget(ContributorKind.USERS, id, uri.getQueryParameters());
    }

    @DELETE
    @Path("/sessions/{session_id}")
    @Operation(summary = "Forgets one session in every stored row of a tenant")
    public Response forgetSession(@PathParam("session_id") String id, @Context UriInfo uri) {
        return forget(ContributorKind.SESSIONS, id, uri.getQueryParameters());
    }

    /**
     * Rewrites the tenant's rows without the id: answered with the rows rewritten. Windows the job
     * still holds open are written later and may name it again: repeat after {@code final_until}
     * (docs/ATTRIBUTION.md#deleting-one-users-figures).
     */
    private Response forget(ContributorKind kind, String id, MultivaluedMap<String, String> params) {
        List<FieldError> errors = new ArrayList<>();
        String tenant = MetricsQueryParser.name("tenant_id", params.getFirst("tenant_id"), true, errors);
        String checkedId = MetricsQueryParser.name(kind.idParameter, id, true, errors);
        if (!errors.isEmpty()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, errors);
        }
        if (isAnotherTenant(caller, tenant)) {
            return QueryAnswers.anotherTenant();
        }
        try {
            int rows = repository.forget(kind, tenant, checkedId);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("tenant_id", tenant);
            body.put(kind.idParameter, checkedId);
            body.put("rows_rewritten", rows);
            return Response.ok(body).build();
        } catch (SQLException e) {
            LOG.warn("contributors deletion failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    private Response top(ContributorKind kind, MultivaluedMap<String, String> params) {
        ContributorsQuery.Parsed parsed = parse(kind, params);
        if (parsed.query() == null) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, parsed.errors());
        }
        ContributorsQuery q = parsed.query();
        if (isAnotherTenant(caller, q)) {
            return QueryAnswers.anotherTenant();
        }
        try {
            Contributors merged = repository.merged(kind, q);
            List<Contributors.Contributor> heaviest = merged.heaviest(q.by(), q.limit());
            Map<String, Instant[]> seen = kind == ContributorKind.SESSIONS ? spans(kind, q, heaviest) : Map.of();
            List<RankedContributor> ranked = new ArrayList<>();
            long[] listed = new long[Figure.values().length];
            for (Contributors.Contributor contributor : heaviest) {
                ranked.add(RankedContributor.of(contributor, seen.get(contributor.id())));
                for (Figure figure : Figure.values()) {
                    listed[figure.ordinal()] += contributor.counted(figure);
                }
            }
            long[] rest = new long[listed.length];
            for (Figure figure : Figure.values()) {
                rest[figure.ordinal()] = merged.total(figure) - listed[figure.ordinal()];
            }
            Map<String, Object> body = range(q);
            body.put("by", byName(q.by()));
            body.put(kind == ContributorKind.USERS ? "users" : "sessions", ranked);
            body.put("everyone_else", ContributorFigures.of(rest));
            body.put("totals", ContributorFigures.totals(merged));
            body.put("error_bound", ContributorFigures.errorBounds(merged));
            return Response.ok(body).build();
        } catch (SQLException e) {
            LOG.warn("contributors query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    private Response overTime(ContributorKind kind, MultivaluedMap<String, String> params) {
        ContributorsQuery.Parsed parsed = parse(kind, params);
        if (parsed.query() == null) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, parsed.errors());
        }
        ContributorsQuery q = parsed.query();
        if (q.id() == null) {
            return QueryAnswers.error(
                    Response.Status.BAD_REQUEST, List.of(new FieldError(kind.idParameter, "is required")));
        }
        if (isAnotherTenant(caller, q)) {
            return QueryAnswers.anotherTenant();
        }
        try {
            List<Map<String, Object>> buckets = new ArrayList<>();
            for (ContributorsRepository.Bucket bucket : repository.overTime(kind, q)) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("window_start", bucket.start().toString());
                entry.put("window_end", bucket.end().toString());
                entry.putAll(RankedContributor.of(bucket.figures(), null).figures());
                buckets.add(entry);
            }
            Map<String, Object> body = range(q);
            body.put(kind.idParameter, q.id());
            body.put("granularity", q.granularity().text());
            body.put("buckets", buckets);
            return Response.ok(body).build();
        } catch (SQLException e) {
            LOG.warn("contributors query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    private Map<String, Instant[]> spans(
            ContributorKind kind, ContributorsQuery q, List<Contributors.Contributor> heaviest) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        heaviest.forEach(c -> ids.add(c.id()));
        ids.remove(Contributors.NO_ID);
        return repository.windowsHolding(kind, q, ids);
    }

    private static ContributorsQuery.Parsed parse(ContributorKind kind, MultivaluedMap<String, String> params) {
        return ContributorsQuery.parse(
                kind,
                params.getFirst("tenant_id"),
                params.getFirst("route"),
                params.getFirst("model"),
                params.getFirst("from"),
                params.getFirst("to"),
                params.getFirst("by"),
                params.getFirst("limit"),
                params.getFirst(kind.idParameter),
                params.getFirst("granularity"),
                Clock.systemUTC());
    }
}
