package dev.streamlens.launcher;

import dev.streamlens.model.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The local stack's settings: the SPEC's STREAMLENS_* environment variables, with their defaults,
 * checked when read so a typo is named before anything starts.
 */
record StackSettings(Path home, int ingestPort, int queryPort, int flinkUiPort, int kafkaPort, int postgresPort,
                     Duration window, Duration joinTimeout, Duration outOfOrderness, Duration idleTimeout,
                     Duration allowedLateness, Duration checkpointInterval, String pricingFile,
                     boolean apiKeys, Path apiKeysFile) {

    static StackSettings fromEnvironment(Map<String, String> env) {
        return new StackSettings(
                Path.of(env.getOrDefault("STREAMLENS_HOME", ".streamlens")).toAbsolutePath(),
                port(env, "STREAMLENS_INGEST_PORT", 8080),
                port(env, "STREAMLENS_QUERY_PORT", 8081),
                port(env, "STREAMLENS_FLINK_UI_PORT", 8082),
                port(env, "STREAMLENS_KAFKA_PORT", 19092),
                port(env, "STREAMLENS_POSTGRES_PORT", 15432),
                duration(env, "STREAMLENS_WINDOW", "1m"),
                duration(env, "STREAMLENS_JOIN_TIMEOUT", "5m"),
                duration(env, "STREAMLENS_OUT_OF_ORDERNESS", "5s"),
                duration(env, "STREAMLENS_IDLE_TIMEOUT", "10s"),
                duration(env, "STREAMLENS_ALLOWED_LATENESS", "1m"),
                duration(env, "STREAMLENS_CHECKPOINT_INTERVAL", "10s"),
                env.get("STREAMLENS_PRICING_FILE"),
                apiKeys(env.get("STREAMLENS_AUTH")),
                env.get("STREAMLENS_API_KEYS_FILE") == null || env.get("STREAMLENS_API_KEYS_FILE").isBlank() ? null
                        : Path.of(env.get("STREAMLENS_API_KEYS_FILE")).toAbsolutePath());
    }

    /** The local stack listens on loopback: keys are off unless STREAMLENS_AUTH=api-key. */
    private static boolean apiKeys(String auth) {
        if (auth == null || auth.isBlank() || auth.trim().equalsIgnoreCase("none")) {
            return false;
        }
        if (auth.trim().equalsIgnoreCase("api-key")) {
            return true;
        }
        throw new IllegalArgumentException("STREAMLENS_AUTH must be none or api-key, not '" + auth + "'");
    }

    Path logs() {
        return home.resolve("logs");
    }

    String kafkaBrokers() {
        return "127.0.0.1:" + kafkaPort;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
    }

    String ingestUrl() {
        return "http://127.0.0.1:" + ingestPort;
    }

    String queryUrl() {
        return "http://127.0.0.1:" + queryPort;
    }

    private static Duration duration(Map<String, String> env, String name, String defaultValue) {
        String value = env.get(name);
        try {
            return Durations.parse(value == null || value.isBlank() ? defaultValue : value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private static int port(Map<String, String> env, String name, int defaultPort) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultPort;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'");
        }
    }
}
