package dev.streamlens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How fresh the query API is on a running stack: steady traffic at a given rate (events with the
 * current time, sent as batches every 100 ms), and for every window the delay from its end to the
 * moment its first row can be read from {@code GET /v1/metrics} (polled every 200 ms). After each
 * phase the traffic stops and the last window's delay is measured too (the job's clock ticks must
 * close it without new events).
 *
 * <p>Usage: {@code FreshnessBenchmark <ingest url> <query url> <window seconds> <seconds per phase>
 * <events/s>...}; run by {@code benchmarks/run-freshness-benchmark.sh}.
 */
public final class FreshnessBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private FreshnessBenchmark() {}

    public static void main(String[] args) throws Exception {
        String ingest = args[0];
        String query = args[1];
        long windowMs = Long.parseLong(args[2]) * 1000;
        long phaseMs = Long.parseLong(args[3]) * 1000;
        for (int i = 4; i < args.length; i++) {
            phase(ingest, query, windowMs, phaseMs, Integer.parseInt(args[i]));
        }
    }

    private static void phase(String ingest, String query, long windowMs, long phaseMs, int eventsPerSecond)
            throws Exception {
        String tenant = "fresh-" + eventsPerSecond + "-" + System.currentTimeMillis() % 100_000;
        long start = System.currentTimeMillis();
        Map<Long, Long> firstSeen = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        Thread poller = new Thread(() -> poll(query, tenant, start, firstSeen));
        poller.setDaemon(true);
        poller.start();

        int pairsPerTick = Math.max(1, eventsPerSecond / 2 / 10);
        long next = start;
        long id = 0;
        while (System.currentTimeMillis() < start + phaseMs) {
            StringBuilder body = new StringBuilder(pairsPerTick * 260);
            Instant now = Instant.now();
            for (int p = 0; p < pairsPerTick; p++, id++) {
                body.append("{\"type\":\"request\",\"request_id\":\"")
                        .append(tenant)
                        .append('-')
                        .append(id)
                        .append("\",\"tenant_id\":\"")
                        .append(tenant)
                        .append("\",\"route\":\"chat\",\"model\":\"gpt-4o\"," + "\"timestamp\":\"")
                        .append(now)
                        .append("\",\"prompt_tokens\":100}\n");
                body.append("{\"type\":\"response\",\"request_id\":\"")
                        .append(tenant)
                        .append('-')
                        .append(id)
                        .append("\",\"timestamp\":\"")
                        .append(now)
                        .append("\",\"latency_ms\":250,\"completion_tokens\":20}\n");
            }
            HttpResponse<String> answer = HTTP.send(
                    HttpRequest.newBuilder(URI.create(ingest + "/v1/llm/events"))
                            .header("Content-Type", "application/x-ndjson")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                throw new IllegalStateException("ingest answered " + answer.statusCode() + ": " + answer.body());
            }
            sent.addAndGet(2L * pairsPerTick);
            next += 100;
            long wait = next - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }
        long stopped = System.currentTimeMillis();
        long lastWindowEnd = (Math.floorDiv(stopped, windowMs) + 1) * windowMs;
        // Traffic has stopped: wait for the last window (it closes on the job's clock ticks alone).
        long deadline = lastWindowEnd + 60_000;
        while (!firstSeen.containsKey(lastWindowEnd - windowMs) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        poller.interrupt();

        long firstFull = (Math.floorDiv(start, windowMs) + 1) * windowMs; // the first window wholly under load
        List<Long> underLoad = new ArrayList<>();
        firstSeen.forEach((windowStart, seenAt) -> {
            if (windowStart >= firstFull && windowStart + windowMs <= stopped) {
                underLoad.add(seenAt - (windowStart + windowMs));
            }
        });
        underLoad.sort(null);
        Long last = firstSeen.get(lastWindowEnd - windowMs);
        System.out.printf(
                "freshness %d events/s (%.0f sent/s): windows under load %d, delay window end -> query API "
                        + "median %d ms, max %d ms; last window after traffic stopped: %s%n",
                eventsPerSecond,
                sent.get() * 1000.0 / (stopped - start),
                underLoad.size(),
                underLoad.isEmpty() ? -1 : underLoad.get(underLoad.size() / 2),
                underLoad.isEmpty() ? -1 : underLoad.get(underLoad.size() - 1),
                last == null ? "not seen within 60 s" : (last - lastWindowEnd) + " ms");
    }

    private static void poll(String query, String tenant, long from, Map<Long, Long> firstSeen) {
        String uri =
                query + "/v1/metrics?limit=1000&tenant_id=" + tenant + "&from=" + Instant.ofEpochMilli(from - 120_000);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                HttpResponse<String> answer = HTTP.send(
                        HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
                long now = System.currentTimeMillis();
                for (JsonNode row : JSON.readTree(answer.body()).path("metrics")) {
                    firstSeen.putIfAbsent(
                            Instant.parse(row.get("window_start").asText()).toEpochMilli(), now);
                }
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the next poll tries again
            }
        }
    }
}
