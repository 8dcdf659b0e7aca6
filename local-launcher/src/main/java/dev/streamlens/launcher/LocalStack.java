package dev.streamlens.launcher;

import dev.streamlens.infra.EmbeddedKafkaBroker;
import dev.streamlens.infra.EmbeddedPostgresServer;
import dev.streamlens.infra.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Starts and stops the whole pipeline on this machine: Kafka and PostgreSQL (embedded, data under
 * {@code $STREAMLENS_HOME}), the Flink job on a local mini-cluster with its web UI, and both
 * services — each as its own process, in dependency order, each checked healthy before the next.
 */
final class LocalStack {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final StackSettings settings;
    private final Path root;
    private final PrintStream out;
    private EmbeddedKafkaBroker kafka;
    private EmbeddedPostgresServer postgres;
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final LeftoverProcesses leftovers;

    /** Tenants given keys made for this run (the demo's), else empty: `up` makes one for acme once. */
    private final List<String> demoTenants;

    private Path keysFile;
    private final Map<String, String> newKeys = new java.util.LinkedHashMap<>();

    LocalStack(StackSettings settings, Path root, PrintStream out, List<String> demoTenants) {
        this.settings = settings;
        this.root = root;
        this.out = out;
        this.leftovers = new LeftoverProcesses(settings);
        this.demoTenants = demoTenants;
    }

    /** Keys made in this run, tenant → key (empty when keys are off or come from the user's file). */
    Map<String, String> newKeys() {
        return newKeys;
    }

    void start() throws Exception {
        leftovers.stopAll(out);
        leftovers.record(LeftoverProcesses.LAUNCHER, ProcessHandle.current());
        for (Map.Entry<String, Integer> port : Map.of(
                        "Kafka",
                        settings.kafkaPort(),
                        "PostgreSQL",
                        settings.postgresPort(),
                        "ingest-service",
                        settings.ingestPort(),
                        "ingest-service's OTLP/gRPC",
                        settings.otlpGrpcPort(),
                        "query-service",
                        settings.queryPort(),
                        "Flink web UI",
                        settings.flinkUiPort())
                .entrySet()) {
            if (FreePorts.isListening(port.getValue())) {
                throw new ManagedProcess.StartFailure(port.getKey() + " cannot start: port " + port.getValue()
                        + " is already in use (set its STREAMLENS_*_PORT)");
            }
        }
        Files.createDirectories(settings.logs());

        step(
                "Kafka",
                () -> kafka = EmbeddedKafkaBroker.builder()
                        .dataDirectory(settings.home().resolve("kafka"))
                        .port(settings.kafkaPort())
                        .logFile(settings.logs().resolve("kafka.log"))
                        .build()
                        .start());
        ProcessHandle.of(kafka.pid()).ifPresent(p -> leftovers.record("Kafka", p));
        step(
                "PostgreSQL",
                () -> postgres = EmbeddedPostgresServer.create(
                                settings.home().resolve("postgres"), settings.postgresPort())
                        .durable()
                        .start());
        step("Flink job", () -> {
            ManagedProcess job = ManagedProcess.start(
                    "Flink job", jobCommand(), Map.of(), settings.logs().resolve("flink-job.log"));
            processes.add(job);
            leftovers.record(job.name(), job.handle());
            // Up when the web UI lists the job as running (its sources then read from Kafka).
            job.awaitHealthy(
                    "http://127.0.0.1:" + settings.flinkUiPort() + "/jobs/overview", "\"RUNNING\"", START_TIMEOUT);
        });
        prepareKeys();
        step(
                "ingest-service",
                () -> service(
                        "ingest-service",
                        settings.ingestPort(),
                        Map.of(
                                "KAFKA_BROKERS",
                                settings.kafkaBrokers(),
                                "OTLP_GRPC_PORT",
                                Integer.toString(settings.otlpGrpcPort()))));
        step(
                "query-service",
                () -> service(
                        "query-service",
                        settings.queryPort(),
                        Map.of("STREAMLENS_JDBC_URL", settings.jdbcUrl(), "KAFKA_BROKERS", settings.kafkaBrokers())));
    }

    /** Stops everything in reverse order; the job resumes from its last checkpoint next time. */
    void stop() {
        List<ManagedProcess> reversed = new ArrayList<>(processes);
        Collections.reverse(reversed);
        reversed.forEach(ManagedProcess::stop);
        processes.clear();
        if (postgres != null) {
            postgres.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
        leftovers.forget();
    }

    void printUrls() {
        out.println("StreamLens is up");
        out.println("  dashboard:    " + settings.queryUrl() + "/");
        out.println(
                "  ingest:       " + settings.ingestUrl() + "  (POST /v1/llm/request, /v1/llm/response, /v1/traces)");
        out.println("  OTLP/gRPC:    127.0.0.1:" + settings.otlpGrpcPort() + "  (TraceService/Export)");
        out.println("  query:        " + settings.queryUrl() + "/v1/metrics?tenant_id=acme");
        out.println("  Flink web UI: http://127.0.0.1:" + settings.flinkUiPort());
        out.println("  logs:         " + settings.logs());
        if (settings.apiKeys()) {
            out.println("  API keys:     on; SHA-256 hashes in " + keysFile);
            newKeys.forEach((tenant, key) -> out.println("  API key of tenant " + tenant + " (shown once): " + key));
        }
    }

    private void service(String module, int port, Map<String, String> env) throws Exception {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new ManagedProcess.StartFailure(
                    module + " is not built: " + jar + " is missing (run ./mvnw package)");
        }
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("HTTP_PORT", Integer.toString(port));
        all.put("STREAMLENS_HTTP_HOST", "127.0.0.1");
        all.put("STREAMLENS_AUTH", settings.apiKeys() ? "api-key" : "none");
        if (keysFile != null) {
            all.put("STREAMLENS_API_KEYS_FILE", keysFile.toString());
        }
        ManagedProcess service = ManagedProcess.start(
                module,
                List.of(java(), "-Xmx512m", "-jar", jar.toString()),
                all,
                settings.logs().resolve(module + ".log"));
        processes.add(service);
        leftovers.record(module, service.handle());
        service.awaitHealthy("http://127.0.0.1:" + port + "/health", START_TIMEOUT);
    }

    /**
     * With STREAMLENS_AUTH=api-key: the user's STREAMLENS_API_KEYS_FILE, or one made here — once
     * for `up` (a key for acme, shown once, kept as a hash), fresh on every `demo` run (its traffic
     * needs the keys themselves).
     */
    private void prepareKeys() throws IOException {
        if (!settings.apiKeys()) {
            return;
        }
        if (settings.apiKeysFile() != null) {
            if (!demoTenants.isEmpty()) {
                throw new ManagedProcess.StartFailure(
                        "the demo makes its own API keys: leave STREAMLENS_API_KEYS_FILE unset");
            }
            keysFile = settings.apiKeysFile();
            return;
        }
        if (!demoTenants.isEmpty()) {
            keysFile = settings.home().resolve("demo-api-keys.json");
            newKeys.putAll(LocalApiKeys.createFile(keysFile, demoTenants));
            return;
        }
        keysFile = settings.home().resolve("api-keys.json");
        if (!Files.exists(keysFile)) {
            newKeys.putAll(LocalApiKeys.createFile(keysFile, List.of("acme")));
        }
    }

    private List<String> jobCommand() throws IOException {
        Files.createDirectories(settings.home().resolve("checkpoints"));
        Path logConfig = settings.home().resolve("job-log4j2.properties");
        try (InputStream in = LocalStack.class.getResourceAsStream("/streamlens/job-log4j2.properties")) {
            Files.write(logConfig, in.readAllBytes());
        }
        List<String> command = new ArrayList<>(List.of(
                java(),
                "-Xmx1g",
                "--add-opens",
                "java.base/java.util=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "-Dlog4j.configurationFile=" + logConfig.toUri(),
                "-cp",
                resource("/streamlens/job.classpath"),
                "dev.streamlens.job.StreamLensJob"));
        command.addAll(settings.jobArguments());
        return command;
    }

    private void step(String part, Step step) throws Exception {
        out.print("starting " + part + " ... ");
        out.flush();
        long started = System.nanoTime();
        try {
            step.run();
        } catch (Exception e) {
            out.println("failed");
            throw e;
        }
        out.printf("ok (%.1f s)%n", (System.nanoTime() - started) / 1e9);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = LocalStack.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
