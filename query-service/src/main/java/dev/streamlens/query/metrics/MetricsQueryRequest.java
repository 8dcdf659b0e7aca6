package dev.streamlens.query.metrics;

import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The query parameters of {@code GET /v1/metrics} as sent, before any check: null when absent,
 * {@code ""} when sent empty. A repeated parameter counts with its first value; parameters of
 * other names are ignored. Bound by RESTEasy as a {@code @BeanParam}.
 */
public record MetricsQueryRequest(
        @RestQuery("tenant_id") String tenantId,
        @RestQuery("route") String route,
        @RestQuery("model") String model,
        @RestQuery("limit") String limit,
        @RestQuery("from") String from,
        @RestQuery("to") String to,
        @RestQuery("granularity") String granularity,
        @RestQuery("group_by") String groupBy,
        @RestQuery("percentiles") String percentiles) {

    /**
     * RESTEasy binds a parameter sent empty ({@code route=}) as if it were absent; the raw query
     * string tells the two apart, so that an empty value is refused instead of meaning "no filter"
     * (docs/DESIGN.md#the-query-service-query-service).
     */
    MetricsQueryRequest withEmptyValuesFrom(MultivaluedMap<String, String> sent) {
        return new MetricsQueryRequest(
                asSent(sent, "tenant_id", tenantId),
                asSent(sent, "route", route),
                asSent(sent, "model", model),
                asSent(sent, "limit", limit),
                asSent(sent, "from", from),
                asSent(sent, "to", to),
                asSent(sent, "granularity", granularity),
                asSent(sent, "group_by", groupBy),
                asSent(sent, "percentiles", percentiles));
    }

    private static String asSent(MultivaluedMap<String, String> sent, String name, String value) {
        return value == null && sent.containsKey(name) ? "" : value;
    }
}
