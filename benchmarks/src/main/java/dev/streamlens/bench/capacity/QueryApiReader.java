package dev.streamlens.bench.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.PipelineOutputs;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the query API shows: when each window of a tenant showed all its answered calls (polled twice
 * a second, in the background), and a tenant's rows over a range, as the exact comparison reads them.
 * A stack that writes a window once when it closes and a database that counts calls as they come
 * are measured alike: a window is fresh when its figures are complete.
 */
final class QueryApiReader {

    /** Windows read per call: with 200 series a tenant's rows of 3 windows stay under the limit. */
    private static final int WINDOWS_PER_CALL = 3;

    private final String query;
    private final long windowMs;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    /** Window start -> each time the watched tenant's answered calls in it changed: {when, how many}. */
    private final Map<Long, List<long[]>> requestsSeen = new ConcurrentHashMap<>();
    /** Each poll (the seed call's question over three windows): {when answered, how long it took}. */
    private final List<long[]> pollMillis = new ArrayList<>();

    QueryApiReader(String queryUrl, long windowMs) {
        this.query = queryUrl;
        this.windowMs = windowMs;
    }

    /** Starts polling the tenant's newest windows; a daemon thread, until the process ends. */
    void watch(String tenant) {
        Thread poller = new Thread(() -> {
            while (true) {
                try {
                    long now = System.currentTimeMillis();
                    Map<Long, Long> requests = new java.util.HashMap<>();
                    for (JsonNode row : rows(tenant, now - 3 * windowMs, now + windowMs)) {
                        requests.merge(
                                Instant.parse(row.get("window_start").asText()).toEpochMilli(),
                                row.get("requests").asLong(),
                                Long::sum);
                    }
                    long readAt = System.currentTimeMillis();
                    synchronized (pollMillis) {
                        pollMillis.add(new long[] {readAt, readAt - now});
                    }
                    requests.forEach((windowStart, count) -> {
                        List<long[]> seen = requestsSeen.computeIfAbsent(windowStart, w -> new ArrayList<>());
                        synchronized (seen) {
                            if (seen.isEmpty() || seen.get(seen.size() - 1)[1] != count) {
                                seen.add(new long[] {readAt, count});
                            }
                        }
                    });
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    // the next poll tries again
                }
            }
        });
        poller.setDaemon(true);
        poller.start();
    }

    /**
     * When the watched tenant's window first showed all its answered calls (the row complete), or
     * -1 if it never did while watched.
     */
    long completeAt(long windowStart, long answeredCalls) {
        List<long[]> seen = requestsSeen.getOrDefault(windowStart, List.of());
        synchronized (seen) {
            for (long[] reading : seen) {
                if (reading[1] == answeredCalls) {
                    return reading[0];
                }
            }
        }
        return -1;
    }

    /** The p99 of the polls' answer times between these instants (ms), or -1 when none was answered. */
    long pollP99(long from, long to) {
        List<Long> took = new ArrayList<>();
        synchronized (pollMillis) {
            for (long[] poll : pollMillis) {
                if (poll[0] >= from && poll[0] < to) {
                    took.add(poll[1]);
                }
            }
        }
        took.sort(null);
        return took.isEmpty() ? -1 : took.get((int) Math.ceil(took.size() * 0.99) - 1);
    }

    /** Every window of these tenants from {@code from} to {@code to} (ms), keyed as the expectation is. */
    Map<ExpectedMetrics.Key, PipelineOutputs.Actual> windows(Collection<String> tenants, long from, long to)
            throws IOException, InterruptedException {
        List<JsonNode> rows = new ArrayList<>();
        for (String tenant : tenants) {
            for (long start = from; start < to; start += WINDOWS_PER_CALL * windowMs) {
                rows.addAll(rows(tenant, start, Math.min(to, start + WINDOWS_PER_CALL * windowMs)));
            }
        }
        return PipelineOutputs.latestRevisions(rows);
    }

    private List<JsonNode> rows(String tenant, long from, long to) throws IOException, InterruptedException {
        String uri = query + "/v1/metrics?limit=1000&tenant_id=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
                + "&from=" + Instant.ofEpochMilli(from) + "&to=" + Instant.ofEpochMilli(to);
        JsonNode metrics = JsonGet.get(http, uri, Duration.ofSeconds(30)).get("metrics");
        if (metrics.size() >= 1000) {
            throw new IOException("GET " + uri + " hit the row limit: read fewer windows per call");
        }
        List<JsonNode> rows = new ArrayList<>();
        metrics.forEach(rows::add);
        return rows;
    }
}
