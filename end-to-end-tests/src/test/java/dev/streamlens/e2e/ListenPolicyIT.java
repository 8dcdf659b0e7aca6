package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.infra.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each packaged service, started as an operator would: asked to listen beyond loopback without
 * API keys it refuses to start and says why; behind a declared trusted gateway it starts.
 */
class ListenPolicyIT {

    @ParameterizedTest
    @ValueSource(strings = {"ingest-service", "query-service"})
    void beyondLoopbackWithoutKeysTheServiceRefusesToStart(String service) throws Exception {
        Map<String, String> env = Map.of("STREAMLENS_HTTP_HOST", "0.0.0.0", "STREAMLENS_AUTH", "none");
        Process process = start(service, env);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).isNotZero();
        assertThat(output).contains("refusing to listen on 0.0.0.0 without API keys");

        Process noFile = start(service, Map.of("STREAMLENS_HTTP_HOST", "0.0.0.0"));
        assertThat(noFile.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(noFile.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("STREAMLENS_API_KEYS_FILE is not set");
        assertThat(noFile.exitValue()).isNotZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ingest-service", "query-service"})
    void behindATrustedGatewayItStarts(String service) throws Exception {
        int port = FreePorts.pick();
        Process process = start(
                service,
                Map.of(
                        "STREAMLENS_HTTP_HOST",
                        "0.0.0.0",
                        "STREAMLENS_AUTH",
                        "none",
                        "STREAMLENS_TRUSTED_GATEWAY",
                        "true",
                        "HTTP_PORT",
                        Integer.toString(port)));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!FreePorts.isListening(port) && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(FreePorts.isListening(port)).as("listening").isTrue();
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Process start(String service, Map<String, String> settings) throws IOException {
        Path jar = StackProcess.ROOT.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        Map<String, String> env = new HashMap<>(settings);
        env.putIfAbsent("HTTP_PORT", Integer.toString(FreePorts.pick()));
        env.put("OTLP_GRPC_PORT", Integer.toString(FreePorts.pick())); // the ingest service's, never 4317
        env.put("KAFKA_BROKERS", "127.0.0.1:" + FreePorts.pick()); // nobody there: not needed to start
        env.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "false"); // no database either
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-jar",
                        jar.toString()))
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        return builder.start();
    }
}
