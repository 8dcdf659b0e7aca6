package dev.streamlens.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collection;

/**
 * The live table of {@code ./streamlens demo}, read from the query API like a dashboard would:
 * per tenant, its newest minute with data (requests, error rate, timeouts, p95) and its cost over
 * the last 15 minutes.
 */
final class DemoSummary {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private final String queryUrl;
    private final Collection<String> tenants;
    /** tenant → API key, when keys are on (empty otherwise). */
    private final java.util.Map<String, String> apiKeys;

    private final PrintStream out;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    DemoSummary(String queryUrl, Collection<String> tenants, java.util.Map<String, String> apiKeys, PrintStream out) {
        this.queryUrl = queryUrl;
        this.apiKeys = apiKeys;
        this.tenants = tenants;
        this.out = out;
    }

    /** Prints one table; a tenant without closed windows yet shows dashes. */
    void print(DemoTraffic traffic) {
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                "%n%-9s %-7s %12s %10s %8s %9s %14s%n",
                "tenant", "minute", "requests/min", "error rate", "timeouts", "p95 ms", "cost 15m USD"));
        for (String tenant : tenants) {
            table.append(row(tenant)).append('\n');
        }
        table.append(String.format(
                "events sent: %d accepted, %d refused, %d failed (windows appear once closed)%n",
                traffic.accepted(), traffic.refused(), traffic.failed()));
        out.print(table);
        out.flush();
    }

    private String row(String tenant) {
        Instant from = Instant.now().minus(15, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MINUTES);
        try {
            JsonNode minutes = get(
                            "/v1/metrics?granularity=1m&group_by=none&tenant_id=" + encode(tenant) + "&from="
                                    + encode(from.toString()),
                            apiKeys.get(tenant))
                    .get("metrics");
            JsonNode newest = null;
            BigDecimal cost = BigDecimal.ZERO;
            for (JsonNode minute : minutes) {
                cost = cost.add(new BigDecimal(minute.get("estimated_cost_usd").asText()));
                if (newest == null
                        || minute.get("window_start")
                                        .asText()
                                        .compareTo(newest.get("window_start").asText())
                                > 0) {
                    newest = minute;
                }
            }
            if (newest == null) {
                return String.format("%-9s %-7s %12s %10s %8s %9s %14s", tenant, "-", "-", "-", "-", "-", "-");
            }
            long requests = newest.get("requests").asLong();
            double errorRate = requests == 0 ? 0 : 100.0 * newest.get("errors").asLong() / requests;
            JsonNode p95 = newest.get("p95_latency_ms");
            return String.format(
                    "%-9s %-7s %12d %9.1f%% %8d %9s %14.4f",
                    tenant,
                    MINUTE.format(Instant.parse(newest.get("window_start").asText())),
                    requests,
                    errorRate,
                    newest.get("timeouts").asLong(),
                    p95 == null || p95.isNull() ? "-" : String.format("%.0f", p95.asDouble()),
                    cost);
        } catch (IOException | RuntimeException e) {
            // a summary that cannot be read this time is said so; the next one tries again
            return String.format("%-9s query API not answering as expected: %s", tenant, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return tenant;
        }
    }

    private JsonNode get(String pathAndQuery, String apiKey) throws IOException, InterruptedException {
        HttpRequest.Builder call = HttpRequest.newBuilder(URI.create(queryUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(5))
                .GET();
        if (apiKey != null) {
            call.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> answer = http.send(call.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("HTTP " + answer.statusCode() + " " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
