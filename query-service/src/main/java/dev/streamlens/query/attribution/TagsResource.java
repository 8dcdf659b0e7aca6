package dev.streamlens.query.attribution;

import static dev.streamlens.query.attribution.AttributionAnswers.byName;
import static dev.streamlens.query.attribution.AttributionAnswers.isAnotherTenant;
import static dev.streamlens.query.attribution.AttributionAnswers.range;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Contributors.Figure;
import dev.streamlens.model.attribution.Tags;
import dev.streamlens.query.QueryAnswers;
import dev.streamlens.query.metrics.MetricsQueryParser;
import dev.streamlens.query.metrics.TagGrouping;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * Custom dimensions (docs/ATTRIBUTION.md#custom-dimensions): the calls per value of a tenant's
 * declared tag keys over a range, read from the rows' {@code top_tags} summaries. A key's values
 * always add up to the completed calls of the windows it was declared in: calls without a value
 * appear as {@code "value": null}, values beyond a row's cap as {@code "other"}.
 */
@Path("/v1/tags")
@Produces(MediaType.APPLICATION_JSON)
public class TagsResource implements TagGrouping {

    private static final Logger LOG = Logger.getLogger(TagsResource.class);

    @Inject
    ContributorsRepository repository;

    @Inject
    CallerTenant caller;

    @GET
    @Path("/keys")
    @Operation(summary = "The tag keys a tenant's rows hold over a range, each with its count of values")
    public Response keys(@Context UriInfo uri) {
        MultivaluedMap<String, String> params = uri.getQueryParameters();
        return answer(params, null, params.getFirst("granularity"), q -> {
            Map<String, Integer> values = new TreeMap<>();
            for (String id : repository.merged(ContributorKind.TAGS, q).ids()) {
                int value = Tags.value(id).equals(Tags.NO_VALUE) ? 0 : 1;
                values.merge(Tags.key(id), value, Integer::sum);
            }
            List<Map<String, Object>> keys = new ArrayList<>();
            values.forEach((key, count) -> keys.add(Map.of("key", key, "values", count)));
            Map<String, Object> body = range(q);
            body.put("keys", keys);
            return body;
        });
    }

    @GET
    @Path("/top")
    @Operation(summary = "One tag key's values with the most cost, requests, tokens or errors over a range")
    public Response top(@Context UriInfo uri) {
        MultivaluedMap<String, String> params = uri.getQueryParameters();
        List<FieldError> errors = new ArrayList<>();
        String key = key(params.getFirst("key"), errors);
        if (!errors.isEmpty()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, errors);
        }
        return answer(params, null, params.getFirst("granularity"), q -> {
            Contributors merged = repository.merged(ContributorKind.TAGS, q);
            List<Contributors.Contributor> ranked = new ArrayList<>();
            for (Contributors.Contributor value :
                    merged.heaviest(q.by(), merged.ids().size())) {
                if (Tags.isOf(value.id(), key)) {
                    ranked.add(value);
                }
            }
            long[] all = new long[Figure.values().length];
            long[] listed = new long[all.length];
            List<Map<String, Object>> values = new ArrayList<>();
            for (int i = 0; i < ranked.size(); i++) {
                for (Figure figure : Figure.values()) {
                    all[figure.ordinal()] += ranked.get(i).counted(figure);
                    listed[figure.ordinal()] += i < q.limit() ? ranked.get(i).counted(figure) : 0;
                }
                if (i < q.limit()) {
                    values.add(entry(ranked.get(i)));
                }
            }
            long[] rest = new long[all.length];
            for (int f = 0; f < all.length; f++) {
                rest[f] = all[f] - listed[f];
            }
            Map<String, Object> body = range(q);
            body.put("key", key);
            body.put("by", byName(q.by()));
            body.put("values", values);
            body.put("everyone_else", ContributorFigures.of(rest));
            body.put("totals", ContributorFigures.of(all));
            return body;
        });
    }

    @GET
    @Path("/figures")
    @Operation(summary = "One tag value's figures (key and value) per bucket over a range")
    public Response figures(@Context UriInfo uri) {
        MultivaluedMap<String, String> params = uri.getQueryParameters();
        List<FieldError> errors = new ArrayList<>();
        String key = key(params.getFirst("key"), errors);
        String value = MetricsQueryParser.name("value", params.getFirst("value"), true, errors);
        if (!errors.isEmpty()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, errors);
        }
        return answer(params, Tags.id(key, value), params.getFirst("granularity"), q -> {
            List<Map<String, Object>> buckets = new ArrayList<>();
            for (ContributorsRepository.Bucket bucket : repository.overTime(ContributorKind.TAGS, q)) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("window_start", bucket.start().toString());
                entry.put("window_end", bucket.end().toString());
                entry.putAll(RankedContributor.of(bucket.figures(), null).figures());
                buckets.add(entry);
            }
            Map<String, Object> body = range(q);
            body.put("key", key);
            body.put("value", value);
            body.put("granularity", q.granularity().text());
            body.put("buckets", buckets);
            return body;
        });
    }

    /**
     * {@code GET /v1/metrics?group_by=tag:<key>}: per bucket of the granularity (the job's windows
     * by default), one entry per value of the key, newest first; {@code tag_value} keeps one value.
     */
    @Override
    public Response groupedByTag(String key, MultivaluedMap<String, String> params) {
        List<FieldError> errors = new ArrayList<>();
        String checkedKey = key(key, errors);
        String only = MetricsQueryParser.name("tag_value", params.getFirst("tag_value"), false, errors);
        if (!errors.isEmpty()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, errors);
        }
        String granularity = params.getFirst("granularity") == null ? "1m" : params.getFirst("granularity");
        return answer(params, null, granularity, q -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ContributorsRepository.Summary bucket : repository.bucketed(ContributorKind.TAGS, q)) {
                for (Contributors.Contributor value : bucket.summary().heaviest(Figure.REQUESTS, Integer.MAX_VALUE)) {
                    if (!Tags.isOf(value.id(), checkedKey)
                            || (only != null && !Tags.id(checkedKey, only).equals(value.id()))) {
                        continue;
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("tenant_id", q.tenantId());
                    row.put("window_start", bucket.start().toString());
                    row.put("window_end", bucket.end().toString());
                    row.put("tag_key", checkedKey);
                    row.putAll(valued("tag_value", value));
                    rows.add(row);
                }
            }
            Collections.reverse(rows); // newest bucket first, as /v1/metrics answers
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("metrics", rows);
            body.put("count", rows.size());
            body.put("group_by", "tag:" + checkedKey);
            body.put("granularity", q.granularity().text());
            return body;
        });
    }

    /** Builds an answer's body from the checked question. */
    private interface Answer {
        Map<String, Object> of(ContributorsQuery q) throws SQLException;
    }

    private Response answer(MultivaluedMap<String, String> params, String id, String granularity, Answer answer) {
        ContributorsQuery.Parsed parsed = ContributorsQuery.parse(
                ContributorKind.TAGS,
                params.getFirst("tenant_id"),
                params.getFirst("route"),
                params.getFirst("model"),
                params.getFirst("from"),
                params.getFirst("to"),
                params.getFirst("by"),
                params.getFirst("limit"),
                id,
                granularity,
                Clock.systemUTC());
        if (parsed.query() == null) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, parsed.errors());
        }
        ContributorsQuery q = parsed.query();
        if (isAnotherTenant(caller, q)) {
            return QueryAnswers.anotherTenant();
        }
        try {
            return Response.ok(answer.of(q)).build();
        } catch (SQLException e) {
            LOG.warn("tags query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    /** A tag key as declared: never empty, never holding {@code =}. */
    private static String key(String value, List<FieldError> errors) {
        String key = MetricsQueryParser.name("key", value, true, errors);
        if (key != null && key.indexOf('=') >= 0) {
            errors.add(new FieldError("key", "must not contain '='"));
            return null;
        }
        return key;
    }

    /** A value's figures: {@code "value": null} for the calls without one. */
    private static Map<String, Object> entry(Contributors.Contributor contributor) {
        return valued("value", contributor);
    }

    private static Map<String, Object> valued(String name, Contributors.Contributor contributor) {
        String value = Tags.value(contributor.id());
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put(name, value.equals(Tags.NO_VALUE) ? null : value);
        entry.putAll(RankedContributor.of(contributor, null).figures());
        return entry;
    }
}
