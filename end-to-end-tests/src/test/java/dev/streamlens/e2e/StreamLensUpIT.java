package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.infra.FreePorts;
import dev.streamlens.testing.TestDirectories;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real {@code ./streamlens up} script: it prints "StreamLens is up", both services answer
 * /health, and SIGTERM stops every part within seconds, leaving no process and no listening port.
 */
class StreamLensUpIT {

    @Test
    void upStartsEverythingAndSigtermLeavesNothingBehind() throws Exception {
        Map<String, String> settings = StackProcess.settings(TestDirectories.fresh("up"), Map.of());
        try (StackProcess stack = StackProcess.up(settings)) {
            HttpClient http = HttpClient.newHttpClient();
            for (String port : List.of("STREAMLENS_INGEST_PORT", "STREAMLENS_QUERY_PORT")) {
                HttpResponse<String> health = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + settings.get(port) + "/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"healthy\"");
            }
            List<ProcessHandle> children =
                    stack.process().toHandle().descendants().toList();
            assertThat(children)
                    .as("Kafka, the job and both services run as their own processes")
                    .hasSizeGreaterThanOrEqualTo(4);

            // A second `up` on the same directory refuses and leaves the running stack alone.
            ProcessBuilder second = new ProcessBuilder(
                            "bash", StackProcess.ROOT.resolve("streamlens").toString(), "up")
                    .directory(StackProcess.ROOT.toFile())
                    .redirectErrorStream(true);
            second.environment().putAll(settings);
            Process refused = second.start();
            String refusal =
                    new String(refused.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).as(refusal).isNotZero();
            assertThat(refusal).contains("StreamLens is already running from");
            assertThat(children).as("the running stack is untouched").allMatch(ProcessHandle::isAlive);

            long stopping = System.nanoTime();
            stack.process().destroy(); // SIGTERM to the launcher (the script exec's into it)
            assertThat(stack.process().waitFor(60, TimeUnit.SECONDS))
                    .as("stopped in time")
                    .isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopping))
                    .isLessThan(30);
            Thread.sleep(1000);
            assertThat(children).as("no process left behind").noneMatch(ProcessHandle::isAlive);
            settings.forEach((name, value) -> {
                if (name.endsWith("_PORT")) {
                    assertThat(FreePorts.isListening(Integer.parseInt(value)))
                            .as("%s still listening", name)
                            .isFalse();
                }
            });
        }
    }
}
