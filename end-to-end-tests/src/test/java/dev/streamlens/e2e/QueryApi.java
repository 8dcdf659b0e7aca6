package dev.streamlens.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.PipelineOutputs;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Reads window rows the way a dashboard does: {@code GET /v1/metrics} per tenant. */
final class QueryApi {

    /** Costs stay exact decimals, as the API writes them. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final String queryUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    QueryApi(String queryUrl) {
        this.queryUrl = queryUrl;
    }

    /** The JSON answer of a GET on the query API (a path with its query string); anything but 200 throws. */
    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(queryUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException("GET " + pathAndQuery + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** Every window row of these tenants starting at or after {@code from}, as the API returns it. */
    List<JsonNode> rows(Collection<String> tenants, Instant from) throws IOException, InterruptedException {
        List<JsonNode> rows = new ArrayList<>();
        for (String tenant : tenants) {
            String uri = queryUrl + "/v1/metrics?limit=1000&tenant_id=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
                    + "&from=" + from + "&to=" + Instant.now().plus(Duration.ofMinutes(2));
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IOException("GET " + uri + " answered " + answer.statusCode() + ": " + answer.body());
            }
            JsonNode metrics = JSON.readTree(answer.body()).get("metrics");
            metrics.forEach(rows::add);
        }
        return rows;
    }

    /** The same rows keyed like the independent expectation. */
    Map<ExpectedMetrics.Key, PipelineOutputs.Actual> windows(Collection<String> tenants, Instant from)
            throws IOException, InterruptedException {
        return PipelineOutputs.latestRevisions(rows(tenants, from));
    }
}
