package dev.streamlens.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.infra.FreePorts;
import dev.streamlens.infra.TestDirectories;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the real {@code ./streamlens up} script: it prints "StreamLens is up", both services answer
 * /health, and SIGTERM stops every part within seconds, leaving no process and no listening port.
 */
class StreamLensUpTest {

    @Test
    void upStartsEverythingAndSigtermLeavesNothingBehind() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Map<String, Integer> ports = Map.of("STREAMLENS_INGEST_PORT", FreePorts.pick(),
                "STREAMLENS_QUERY_PORT", FreePorts.pick(), "STREAMLENS_FLINK_UI_PORT", FreePorts.pick(),
                "STREAMLENS_KAFKA_PORT", FreePorts.pick(), "STREAMLENS_POSTGRES_PORT", FreePorts.pick());
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("streamlens").toString(), "up")
                .directory(root.toFile()).redirectErrorStream(true);
        builder.environment().put("STREAMLENS_HOME", TestDirectories.fresh("up").toString());
        ports.forEach((name, port) -> builder.environment().put(name, port.toString()));
        Process up = builder.start();
        List<String> output = new ArrayList<>();
        try {
            CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> readUntilUp(up, output));
            assertThat(ready.get(4, TimeUnit.MINUTES)).as("output: %s", output).isTrue();

            HttpClient http = HttpClient.newHttpClient();
            for (String port : List.of("STREAMLENS_INGEST_PORT", "STREAMLENS_QUERY_PORT")) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ports.get(port) + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"healthy\"");
            }
            List<ProcessHandle> children = up.toHandle().descendants().toList();
            assertThat(children).as("Kafka, the job and both services run as their own processes").hasSizeGreaterThanOrEqualTo(4);

            long stopping = System.nanoTime();
            up.destroy(); // SIGTERM to the launcher (the script exec's into it)
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("stopped in time").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopping)).isLessThan(30);
            Thread.sleep(1000);
            assertThat(children).as("no process left behind").noneMatch(ProcessHandle::isAlive);
            ports.forEach((name, port) -> assertThat(FreePorts.isListening(port)).as("%s still listening", name).isFalse());
        } finally {
            up.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            up.destroyForcibly();
        }
    }

    /** Reads the launcher's output until the ready line, then keeps draining it so it never blocks. */
    private static boolean readUntilUp(Process process, List<String> output) {
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                output.add(line);
                if (line.equals("StreamLens is up")) {
                    Thread drain = new Thread(() -> lines.lines().forEach(l -> { }));
                    drain.setDaemon(true);
                    drain.start();
                    return true;
                }
            }
            return false;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
