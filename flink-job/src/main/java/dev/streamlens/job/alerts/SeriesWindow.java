package dev.streamlens.job.alerts;

import dev.streamlens.model.MetricsRow;
import java.math.BigDecimal;

/**
 * What alert rules read of one window row: the counts, the cost and the latency sketch of a
 * (route, model) in one window. Kept per tenant for as long as its rules look back; a later
 * revision of the window replaces it.
 */
public class SeriesWindow {

    public String route;
    public String model;
    public long windowStart;
    public long requests;
    public long errors;
    public long timeouts;
    public BigDecimal costUsd;
    public long unpricedRequests;
    /** Encoded DDSketch, as in the row; decoded only for latency rules. */
    public byte[] latencySketch;
    /** Encoded end-user summary, as in the row; decoded only for user_spend rules. */
    public byte[] topUsers;

    public SeriesWindow() {}

    static SeriesWindow of(MetricsRow row) {
        SeriesWindow w = new SeriesWindow();
        w.route = row.route();
        w.model = row.model();
        w.windowStart = row.windowStart().toEpochMilli();
        w.requests = row.requests();
        w.errors = row.errors();
        w.timeouts = row.timeouts();
        w.costUsd = row.estimatedCostUsd();
        w.unpricedRequests = row.unpricedRequests();
        w.latencySketch = row.latencySketch();
        w.topUsers = row.topUsers();
        return w;
    }

    /** The key of its state entry: one per series and window. */
    String key() {
        return route + '\u0000' + model + '\u0000' + windowStart;
    }
}
