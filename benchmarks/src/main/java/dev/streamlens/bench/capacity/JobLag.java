package dev.streamlens.bench.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The job's event-time lag (wall clock minus the watermark its PostgreSQL sink has seen, the gauge
 * {@code streamlens_event_time_lag_ms}), read from the Flink REST API as its web UI reads it: the
 * largest over the sink's subtasks.
 */
final class JobLag {

    private static final String GAUGE = "streamlens_event_time_lag_ms";

    private final String flink;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String metricsUri;

    JobLag(String flinkUrl) {
        this.flink = flinkUrl;
    }

    /** The lag in ms, or -1 when the job or its gauge cannot be read (yet). */
    long millis() {
        try {
            if (metricsUri == null) {
                metricsUri = find();
                if (metricsUri == null) {
                    return -1;
                }
            }
            long lag = -1;
            for (JsonNode metric : get(metricsUri)) {
                lag = Math.max(
                        lag, (long) Double.parseDouble(metric.get("value").asText()));
            }
            return lag;
        } catch (IOException | RuntimeException e) {
            metricsUri = null; // the job restarted, or the REST call failed: look again next time
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The URI that reads every subtask's gauge of the running job's sink vertex. */
    private String find() throws IOException, InterruptedException {
        for (JsonNode job : get(flink + "/jobs").path("jobs")) {
            if (!job.path("status").asText().equals("RUNNING")) {
                continue;
            }
            String jobUri = flink + "/jobs/" + job.get("id").asText();
            for (JsonNode vertex : get(jobUri).path("vertices")) {
                String vertexUri = jobUri + "/vertices/" + vertex.get("id").asText() + "/metrics";
                List<String> gauges = new ArrayList<>();
                for (JsonNode metric : get(vertexUri)) {
                    if (metric.get("id").asText().endsWith("." + GAUGE)) {
                        gauges.add(metric.get("id").asText());
                    }
                }
                if (!gauges.isEmpty()) {
                    return vertexUri + "?get=" + URLEncoder.encode(String.join(",", gauges), StandardCharsets.UTF_8);
                }
            }
        }
        return null;
    }

    private JsonNode get(String uri) throws IOException, InterruptedException {
        return JsonGet.get(http, uri, Duration.ofSeconds(5));
    }
}
