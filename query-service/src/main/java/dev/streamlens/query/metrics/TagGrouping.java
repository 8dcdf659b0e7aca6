package dev.streamlens.query.metrics;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

/**
 * Answers {@code GET /v1/metrics?group_by=tag:<key>}. The rows per tag value live in the
 * attribution summaries, so the attribution package implements this and the metrics package,
 * which it builds on, does not depend on it.
 */
public interface TagGrouping {

    /** The calls per value of {@code key} per bucket, newest first; the params as sent. */
    Response groupedByTag(String key, MultivaluedMap<String, String> params);
}
