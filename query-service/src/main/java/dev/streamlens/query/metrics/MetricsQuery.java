package dev.streamlens.query.metrics;

import java.time.Instant;

/**
 * A validated metrics query.
 *
 * @param from     inclusive start of the range (a bucket boundary), or null: the latest rows
 * @param to       exclusive end of the range, or null
 * @param byRoute  rows per route (otherwise routes are summed)
 * @param byModel  rows per model (otherwise models are summed)
 * @param percentiles merge the rows' sketches into percentiles (false: counts, sums and averages only,
 *                 for charts that draw no percentile; the sketches are then not even read)
 */
public record MetricsQuery(
        String tenantId,
        String route,
        String model,
        int limit,
        Instant from,
        Instant to,
        Granularity granularity,
        boolean byRoute,
        boolean byModel,
        boolean percentiles) {

    public MetricsQuery(
            String tenantId,
            String route,
            String model,
            int limit,
            Instant from,
            Instant to,
            Granularity granularity,
            boolean byRoute,
            boolean byModel) {
        this(tenantId, route, model, limit, from, to, granularity, byRoute, byModel, true);
    }

    /**
     * The job's own rows as stored, one per series and minute, no merging needed: 1m buckets
     * grouped by route and model, what the plain call reads
     * (docs/DESIGN.md#the-query-service-query-service).
     */
    public boolean isStoredMinuteRows() {
        return granularity == Granularity.MINUTE && byRoute && byModel && percentiles;
    }

    /** The same query over another range. */
    public MetricsQuery withRange(Instant from, Instant to) {
        return new MetricsQuery(tenantId, route, model, limit, from, to, granularity, byRoute, byModel, percentiles);
    }
}
