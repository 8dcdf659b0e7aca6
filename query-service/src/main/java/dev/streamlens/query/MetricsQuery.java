package dev.streamlens.query;

import java.time.Instant;

/**
 * A validated metrics query.
 *
 * @param from     inclusive start of the range (a bucket boundary), or null: the latest rows
 * @param to       exclusive end of the range, or null
 * @param byRoute  rows per route (otherwise routes are summed)
 * @param byModel  rows per model (otherwise models are summed)
 */
public record MetricsQuery(String tenantId, String route, String model, int limit, Instant from, Instant to,
                           Granularity granularity, boolean byRoute, boolean byModel) {

    /** The seed's call: the job's own rows, one per series and minute, no merging needed. */
    public boolean isSeriesRows() {
        return granularity == Granularity.MINUTE && byRoute && byModel;
    }
}
