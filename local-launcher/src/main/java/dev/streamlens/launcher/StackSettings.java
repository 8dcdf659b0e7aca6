package dev.streamlens.launcher;

import dev.streamlens.job.JobSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The local stack's settings: the STREAMLENS_* environment variables of README.md, with their defaults,
 * checked when read so a typo is named before anything starts. The job's own settings (window,
 * timeouts, lateness, checkpoints, prices) are read by the job's {@link JobSettings} from the same
 * variables, which the job process inherits: their names and defaults live there only.
 */
record StackSettings(
        Path home,
        int ingestPort,
        int otlpGrpcPort,
        int queryPort,
        int flinkUiPort,
        int kafkaPort,
        int postgresPort,
        boolean apiKeys,
        Path apiKeysFile,
        List<String> jobArguments,
        JobSettings job) {

    static StackSettings fromEnvironment(Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("STREAMLENS_HOME", ".streamlens")).toAbsolutePath();
        int flinkUiPort = port(env, "STREAMLENS_FLINK_UI_PORT", 8082);
        int kafkaPort = port(env, "STREAMLENS_KAFKA_PORT", 19092);
        int postgresPort = port(env, "STREAMLENS_POSTGRES_PORT", 15432);
        boolean apiKeys = apiKeys(env.get("STREAMLENS_AUTH"));
        List<String> jobArguments = jobArguments(home, flinkUiPort, kafkaPort, postgresPort, apiKeys);
        return new StackSettings(
                home,
                port(env, "STREAMLENS_INGEST_PORT", 8080),
                port(env, "STREAMLENS_OTLP_GRPC_PORT", 4317),
                port(env, "STREAMLENS_QUERY_PORT", 8081),
                flinkUiPort,
                kafkaPort,
                postgresPort,
                apiKeys,
                env.get("STREAMLENS_API_KEYS_FILE") == null
                                || env.get("STREAMLENS_API_KEYS_FILE").isBlank()
                        ? null
                        : Path.of(env.get("STREAMLENS_API_KEYS_FILE")).toAbsolutePath(),
                jobArguments,
                jobSettings(env, jobArguments));
    }

    /**
     * What the stack fixes for the job on the command line: where its servers and checkpoints are.
     * Everything else (window, timeouts, lateness, checkpoint interval, price table) the job reads
     * from the STREAMLENS_* variables it inherits.
     */
    private static List<String> jobArguments(
            Path home, int flinkUiPort, int kafkaPort, int postgresPort, boolean apiKeys) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka-brokers",
                "127.0.0.1:" + kafkaPort,
                "--jdbc-url",
                "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres",
                "--checkpoint-dir",
                home.resolve("checkpoints").toUri().toString(),
                "--resume-from-latest-checkpoint",
                "--local-web-ui-port",
                Integer.toString(flinkUiPort),
                "--parallelism",
                "2",
                // The embedded broker allows hour-long transactions: a job down for up to an hour (less one
                // checkpoint interval) loses nothing on llm.metrics when it comes back.
                "--kafka-transaction-timeout",
                "1h"));
        if (apiKeys) {
            args.add("--tenant-scoped-request-ids"); // the services record each response's tenant
        }
        return List.copyOf(args);
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
        return job.kafkaBrokers;
    }

    String jdbcUrl() {
        return job.jdbcUrl;
    }

    String ingestUrl() {
        return "http://127.0.0.1:" + ingestPort;
    }

    String queryUrl() {
        return "http://127.0.0.1:" + queryPort;
    }

    /** The job's settings as the job will read them from this environment, checked now. */
    private static JobSettings jobSettings(Map<String, String> env, List<String> jobArguments) {
        try {
            return JobSettings.parse(env, jobArguments.toArray(String[]::new));
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (set by the STREAMLENS_* variable of that name)");
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
