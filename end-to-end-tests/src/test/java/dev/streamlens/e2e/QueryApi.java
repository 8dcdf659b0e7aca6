package dev.streamlens.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.PipelineOutputs;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;

/** Reads window rows the way a dashboard does: {@code GET /v1/metrics} per tenant. */
final class QueryApi {

    /** Costs stay exact decimals, as the API writes them. */
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final String queryUrl;
    /**
     * HTTP/1.1, as a browser speaks to a plain-HTTP service: the JDK client's default tries an h2c
     * upgrade and shares one HTTP/2 connection between the test's threads, which the server's idle
     * timeout can close under a request in flight (seen once in CI as "EOF reached while reading").
     */
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    QueryApi(String queryUrl) {
        this.queryUrl = queryUrl;
    }

    /** The JSON answer of a GET on the query API (a path with its query string); anything but 200 throws. */
    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> answer = send(queryUrl + pathAndQuery);
        if (answer.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** Every window row of these tenants starting at or after {@code from}, as the API returns it. */
    List<JsonNode> rows(Collection<String> tenants, Instant from) throws IOException, InterruptedException {
        List<JsonNode> rows = new ArrayList<>();
        for (String tenant : tenants) {
            String uri =
                    queryUrl + "/v1/metrics?limit=1000&tenant_id=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
                            + "&from=" + from + "&to=" + Instant.now().plus(Duration.ofMinutes(2));
            HttpResponse<String> answer = send(uri);
            if (answer.statusCode() != 200) {
                throw new IOException("GET " + uri + " answered " + answer.statusCode() + ": " + answer.body());
            }
            JsonNode metrics = JSON.readTree(answer.body()).get("metrics");
            metrics.forEach(rows::add);
        }
        return rows;
    }

    /** An answer: its status and JSON body (null when empty). */
    record Answer(int status, JsonNode body) {}

    /** A write (POST, PUT, DELETE) with an optional JSON body; sent once, whatever the answer. */
    Answer call(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(queryUrl + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(answer.statusCode(), answer.body().isEmpty() ? null : JSON.readTree(answer.body()));
    }

    /** A GET, sent once more if the connection broke before an answer (a GET can be repeated). */
    private HttpResponse<String> send(String uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    /**
     * Where the API's end users and sessions of a tenant differ from the exact figures of the calls
     * sent (the tenant's every window): every one listed (the API's limit is 1,000, far more than a test
     * sends), each figure equal and marked exact, none missing and none extra.
     */
    List<String> contributorDifferences(ExpectedMetrics expected, String tenant)
            throws IOException, InterruptedException {
        List<String> diffs = new ArrayList<>();
        Predicate<ExpectedMetrics.Key> ofTenant = key -> key.tenant().equals(tenant);
        diffs.addAll(rankingDifferences(expected, tenant, "users", "users", "id", expected.usersOf(ofTenant)));
        diffs.addAll(rankingDifferences(expected, tenant, "sessions", "sessions", "id", expected.sessionsOf(ofTenant)));
        return diffs;
    }

    /**
     * The same for the values of the tag key {@code feature} ({@code /v1/tags/top}), on a stack
     * declaring it ({@code STREAMLENS_TAG_KEYS=feature}): every value and "no value", exact.
     */
    List<String> featureDifferences(ExpectedMetrics expected, String tenant) throws IOException, InterruptedException {
        Predicate<ExpectedMetrics.Key> ofTenant = key -> key.tenant().equals(tenant);
        return rankingDifferences(expected, tenant, "tags", "values", "value", expected.featuresOf(ofTenant));
    }

    private List<String> rankingDifferences(
            ExpectedMetrics expected,
            String tenant,
            String kind,
            String listField,
            String idField,
            Map<String, long[]> exact)
            throws IOException, InterruptedException {
        List<String> diffs = new ArrayList<>();
        OptionalLong first = expected.rows.keySet().stream()
                .filter(k -> k.tenant().equals(tenant))
                .mapToLong(ExpectedMetrics.Key::windowStart)
                .min();
        if (first.isEmpty()) {
            return diffs; // the tenant sent no call
        }
        Instant from = Instant.ofEpochMilli(first.getAsLong());
        JsonNode answer = get("/v1/" + kind + "/top?tenant_id=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
                + (kind.equals("tags") ? "&key=feature" : "")
                + "&by=requests&limit=1000&from=" + from + "&to="
                + Instant.now().plus(Duration.ofMinutes(2)));
        Map<String, JsonNode> listed = new HashMap<>();
        answer.get(listField)
                .forEach(c ->
                        listed.put(c.get(idField).isNull() ? "" : c.get(idField).asText(), c));
        exact.forEach((id, figures) -> {
            JsonNode c = listed.remove(id);
            String who = tenant + " " + kind + " '" + id + "'";
            if (c == null) {
                diffs.add(who + " not listed");
            } else if (!c.get("exact").asBoolean()
                    || c.get("requests").asLong() != figures[1]
                    || c.get("tokens").asLong() != figures[2]
                    || c.get("errors").asLong() != figures[3]
                    || new BigDecimal(c.get("cost_usd").asText())
                                    .movePointRight(9)
                                    .compareTo(BigDecimal.valueOf(figures[0]))
                            != 0) {
                diffs.add(who + " expected " + Arrays.toString(figures)
                        + " (nano-USD, requests, tokens, errors) but was " + c);
            }
        });
        listed.keySet().forEach(id -> diffs.add(tenant + " " + kind + " '" + id + "' listed, but sent no call"));
        return diffs;
    }

    /** The same rows keyed like the independent expectation. */
    Map<ExpectedMetrics.Key, PipelineOutputs.Actual> windows(Collection<String> tenants, Instant from)
            throws IOException, InterruptedException {
        return PipelineOutputs.latestRevisions(rows(tenants, from));
    }
}
