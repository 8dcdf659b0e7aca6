package dev.streamlens.launcher;

import dev.streamlens.model.Rfc3339;
import dev.streamlens.model.pricing.PriceCatalog;
import dev.streamlens.model.pricing.UserPrices;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./streamlens prices update}: fetches the price catalog's published copy, refuses it when it
 * breaks the catalog's schema, and otherwise publishes it as a price version through the running
 * query service ({@code PUT /v1/prices}; docs/PRICING.md#updating-the-catalog).
 */
@Command(
        name = "update",
        mixinStandardHelpOptions = true,
        description = "Fetch the genai-prices catalog, check it against its schema, publish it as a price version.")
final class PricesUpdateCommand implements Callable<Integer> {

    @Option(
            names = "--url",
            description = "where to fetch the catalog: http(s), file: or a path (default: the published feed)")
    String url = PriceCatalog.bundledSource().url();

    @Option(
            names = "--effective-from",
            description = "RFC 3339: the calls the new prices apply to, from this time on (default: now)")
    String effectiveFrom;

    @Option(
            names = "--api-key",
            defaultValue = "${env:STREAMLENS_API_KEY}",
            description = "a key of a tenant named in STREAMLENS_PRICE_EDITORS, when API keys are on "
                    + "(default: $STREAMLENS_API_KEY)")
    String apiKey;

    @Override
    public Integer call() throws Exception {
        StackSettings settings;
        try {
            settings = StackSettings.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Instant from = effectiveFrom == null ? Instant.now() : Rfc3339.parse(effectiveFrom);
        if (from == null) {
            System.err.println("--effective-from must be an RFC 3339 timestamp, such as 2026-12-01T00:00:00Z");
            return 2;
        }
        byte[] catalog;
        try {
            catalog = fetch(url);
        } catch (IOException e) {
            System.err.println("could not fetch " + url + ": " + e);
            return 1;
        }
        List<String> problems = CatalogSchema.problems(catalog);
        if (!problems.isEmpty()) {
            System.err.println("refused: " + url + " breaks the catalog's schema (" + problems.size() + " problems):");
            problems.stream().limit(10).forEach(problem -> System.err.println("  " + problem));
            return 1;
        }
        try {
            UserPrices.read(catalog, url);
        } catch (IllegalArgumentException e) {
            System.err.println("refused: " + e.getMessage());
            return 1;
        }
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(settings.queryUrl() + "/v1/prices?effective_from="
                        + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(catalog));
        if (apiKey != null && !apiKey.isBlank()) {
            put.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> answer;
        try {
            answer = HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            System.err.println(
                    "the query service at " + settings.queryUrl() + " did not answer (is StreamLens up?): " + e);
            return 1;
        }
        if (answer.statusCode() != 200) {
            System.err.println("not published: " + answer.statusCode() + " " + answer.body());
            return 1;
        }
        System.out.println("published " + url + " as price version " + answer.body());
        return 0;
    }

    private static byte[] fetch(String url) throws IOException, InterruptedException {
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            return Files.readAllBytes(url.startsWith("file:") ? Path.of(URI.create(url)) : Path.of(url));
        }
        HttpResponse<byte[]> response = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20))
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return response.body();
    }
}
