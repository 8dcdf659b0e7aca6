package dev.streamlens.job.window;

import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import java.math.BigDecimal;
import java.time.Instant;

/** Turns a window's accumulator into the row the sinks write (SPEC rule 5 and 6). */
public final class MetricsRows {

    private MetricsRows() {
    }

    public static MetricsRow of(String tenant, String route, String model, long windowStart, long windowEnd,
                                WindowAccumulator acc, PriceTable.Price price, int revision, String jobRun) {
        long n = acc.requests;
        LatencySketch latencies = acc.latencies;
        BigDecimal cost = price == null || n == 0
                ? BigDecimal.ZERO.setScale(12)
                : PriceTable.costUsd(price, acc.promptTokens, acc.completionTokens);
        return new MetricsRow(tenant, route, model, Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(windowEnd),
                n, acc.errors, acc.timeouts,
                n == 0 ? null : acc.latencySumMs / n,
                latencies.quantile(0.50), latencies.quantile(0.95), latencies.quantile(0.99),
                n == 0 ? null : (double) acc.promptTokens / n,
                n == 0 ? null : (double) acc.completionTokens / n,
                acc.promptTokens, acc.completionTokens, acc.latencySumMs, cost,
                price == null ? n : 0,
                n == 0 ? null : latencies.encode(),
                revision, jobRun);
    }
}
