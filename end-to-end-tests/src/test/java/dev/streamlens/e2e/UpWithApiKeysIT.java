package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.testing.TestDirectories;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * `STREAMLENS_AUTH=api-key ./streamlens up` without a keys file: it writes one holding only the
 * hash of a random key for tenant acme, prints the key once, and the key works; the next `up` on
 * the same directory keeps the file and does not print the key again.
 */
class UpWithApiKeysIT {

    private static final Pattern SHOWN_KEY = Pattern.compile("API key of tenant acme \\(shown once\\): (\\S+)");

    @Test
    void upMakesADemoKeyOnceAndItWorks() throws Exception {
        Path home = TestDirectories.fresh("up-keys");
        Map<String, String> settings = StackProcess.settings(home, Map.of("STREAMLENS_AUTH", "api-key"));
        String key;
        try (StackProcess stack = StackProcess.up(settings)) {
            assertThat(stack.printed("(shown once)", Duration.ofSeconds(10)))
                    .as("%s", stack.output())
                    .isTrue();
            Matcher shown = stack.output().stream()
                    .map(SHOWN_KEY::matcher)
                    .filter(Matcher::find)
                    .findFirst()
                    .orElseThrow();
            key = shown.group(1);
            String file = Files.readString(home.resolve("api-keys.json"));
            assertThat(file).doesNotContain(key).contains("\"tenant_id\": \"acme\"");
            assertThat(post(settings, key, "acme")).isEqualTo(202);
            assertThat(post(settings, key, "globex")).isEqualTo(403);
            assertThat(post(settings, null, "acme")).isEqualTo(401);
        }
        try (StackProcess again = StackProcess.up(settings)) {
            assertThat(again.printed("API keys:     on", Duration.ofSeconds(10)))
                    .isTrue();
            assertThat(again.output()).noneMatch(line -> line.contains("(shown once)"));
            assertThat(post(settings, key, "acme"))
                    .as("the same key after a restart")
                    .isEqualTo(202);
        }
    }

    private static int post(Map<String, String> settings, String key, String tenant) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT") + "/v1/llm/request"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"request_id\": \"k-" + System.nanoTime()
                        + "\", \"tenant_id\": \"" + tenant
                        + "\", \"route\": \"chat\", \"model\": \"gpt-4o\", \"timestamp\": \"" + Instant.now() + "\"}"));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
