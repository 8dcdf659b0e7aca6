package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.streamlens.model.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml checked without a Docker engine: it parses; every image is pinned; the
 * settings given to each service are names the service reads, and the ones it needs are there
 * (API keys on); the job's arguments are options of the job's usage text; the job submitter reads
 * the cluster's checkpoint volume, to resume from it; the schema the job writes into comes from the
 * sql/ migrations; and, when the Debian docker-compose is installed,
 * `docker-compose config` accepts it.
 */
class ComposeFileIT {

    private static final Path ROOT = StackProcess.ROOT;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final JsonNode services = read().path("services");

    @Test
    void everyImageIsPinnedAndFlinkMatchesTheBuild() throws Exception {
        String flinkVersion = property("flink.version");
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            List<String> images = new ArrayList<>();
            if (service.getValue().has("image")) {
                images.add(service.getValue().path("image").asText());
            } else {
                JsonNode build = service.getValue().path("build");
                Path dockerfile = ROOT.resolve(build.path("context").asText())
                        .resolve(build.path("dockerfile").asText("Dockerfile"));
                Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(Files.readString(dockerfile));
                while (from.find()) {
                    images.add(from.group(1));
                }
                assertThat(images).as("%s: FROM lines", service.getKey()).isNotEmpty();
            }
            for (String image : images) {
                assertThat(image)
                        .as("%s pins its image", service.getKey())
                        .matches("[\\w./-]+:[\\w.-]*\\d[\\w.-]*(@sha256:[0-9a-f]{64})?")
                        .doesNotEndWith(":latest");
                if (image.startsWith("flink:")) {
                    assertThat(image)
                            .as("Flink image of the version the job is built for")
                            .startsWith("flink:" + flinkVersion + "-");
                }
            }
        }
    }

    @Test
    void servicesGetTheSettingsTheyReadWithApiKeysOn() throws Exception {
        for (String name : List.of("ingest-service", "query-service")) {
            JsonNode env = services.path(name).path("environment");
            Set<String> read = settingsRead(name);
            env.fieldNames()
                    .forEachRemaining(
                            key -> assertThat(read).as("%s reads %s", name, key).contains(key));
            assertThat(env.path("STREAMLENS_AUTH").asText()).isEqualTo("api-key");
            assertThat(env.path("STREAMLENS_HTTP_HOST").asText()).isEqualTo("0.0.0.0");
            String keysFile = env.path("STREAMLENS_API_KEYS_FILE").asText();
            String keysDir = keysFile.substring(0, keysFile.lastIndexOf('/'));
            assertThat(services.path(name).path("volumes").toString())
                    .as("the keys file's folder is mounted")
                    .contains("./deploy/compose:" + keysDir + ":ro");
            assertThat(keysFile).endsWith("/api-keys.json");
            assertThat(services.path(name).path("healthcheck").path("test").toString())
                    .contains("/health");
        }
        assertThat(services.at("/ingest-service/environment/KAFKA_BROKERS").asText())
                .isEqualTo("kafka:9092");
        assertThat(services.at("/query-service/environment/KAFKA_BROKERS").asText())
                .as("alerts in and rules out")
                .isEqualTo("kafka:9092");
        assertThat(services.at("/query-service/depends_on/kafka-topics/condition")
                        .asText())
                .isEqualTo("service_completed_successfully");
        JsonNode postgres = services.path("postgres").path("environment");
        assertThat(services.at("/query-service/environment/STREAMLENS_JDBC_URL").asText())
                .isEqualTo("jdbc:postgresql://postgres:5432/"
                        + postgres.path("POSTGRES_DB").asText());
        assertThat(services.at("/query-service/environment/STREAMLENS_JDBC_USER")
                        .asText())
                .isEqualTo(postgres.path("POSTGRES_USER").asText());
        assertThat(services.at("/ingest-service/ports/0").asText()).isEqualTo("8080:8080");
        assertThat(services.at("/ingest-service/ports/1").asText()).isEqualTo("4317:4317");
        assertThat(services.at("/query-service/ports/0").asText()).isEqualTo("8081:8081");
        assertThat(services.at("/jobmanager/ports/0").asText())
                .as("Flink's REST API stays on this host")
                .isEqualTo("127.0.0.1:8082:8081");
        assertThat(ROOT.resolve("deploy/compose/api-keys.example.json")).exists();
    }

    @Test
    void theJobIsSubmittedWithOptionsFromItsUsageText() throws Exception {
        Set<String> known = JobUsage.options();
        List<String> command = new ArrayList<>();
        services.path("job-submitter").path("command").forEach(arg -> command.add(arg.asText()));
        command.stream()
                .filter(arg -> arg.startsWith("--"))
                .forEach(option -> assertThat(known).as("job option %s", option).contains(option));
        assertThat(command)
                .containsSequence("--kafka-brokers", "kafka:9092")
                .containsSequence(
                        "--jdbc-url",
                        services.at("/query-service/environment/STREAMLENS_JDBC_URL")
                                .asText());
        assertThat(command).as("the password is not a visible argument").doesNotContain("--jdbc-password");
        assertThat(command).as("keys are on: responses carry their tenant").contains("--tenant-scoped-request-ids");
        assertThat(services.at("/job-submitter/depends_on/query-service/condition")
                        .asText())
                .as("tables exist before the job writes")
                .isEqualTo("service_healthy");
        // Kafka as the exactly-once sink needs it: one-replica transaction log, and room for the job's 15-minute
        // transactions.
        JsonNode kafka = services.path("kafka").path("environment");
        assertThat(kafka.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asText())
                .isEqualTo("1");
        assertThat(kafka.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asText()).isEqualTo("1");
        assertThat(kafka.path("KAFKA_TRANSACTION_MAX_TIMEOUT_MS").asLong()).isGreaterThanOrEqualTo(900_000);
        String topics = services.path("kafka-topics").path("command").get(0).asText();
        for (String topic : Topics.ALL) {
            // "create <topic> --config k=v --config k=v;" with exactly the settings the embedded broker uses.
            Matcher line = Pattern.compile("create " + Pattern.quote(topic) + "((?: --config \\S+)*)(?:;|$)")
                    .matcher(topics);
            assertThat(line.find()).as("topic %s is created", topic).isTrue();
            Map<String, String> configs = new java.util.HashMap<>();
            for (String setting : line.group(1).split(" --config ")) {
                if (!setting.isBlank()) {
                    configs.put(
                            setting.substring(0, setting.indexOf('=')).trim(),
                            setting.substring(setting.indexOf('=') + 1).trim());
                }
            }
            assertThat(configs).as("settings of %s", topic).isEqualTo(Topics.config(topic));
        }
    }

    /**
     * The job's main runs in the submitter (`flink run`), so --resume-from-latest-checkpoint finds a
     * checkpoint there only if the submitter sees the cluster's checkpoint volume at the cluster's path;
     * the script adds the flag (SubmitJobScriptIT runs it), so the command must not.
     */
    @Test
    void theSubmitterResumesFromTheClustersCheckpointVolume() throws Exception {
        List<String> command = new ArrayList<>();
        services.path("job-submitter").path("command").forEach(arg -> command.add(arg.asText()));
        String checkpointDir = command.get(command.indexOf("--checkpoint-dir") + 1);
        assertThat(checkpointDir).startsWith("file:///");
        String checkpointPath = checkpointDir.substring("file://".length());
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(services.at("/" + flink + "/environment/FLINK_PROPERTIES")
                            .asText())
                    .as("%s checkpoints where the job looks", flink)
                    .contains("execution.checkpointing.dir: " + checkpointDir + "\n");
        }
        List<String> mounts = new ArrayList<>();
        services.path("job-submitter").path("volumes").forEach(volume -> mounts.add(volume.asText()));
        String mount = mounts.stream()
                .filter(m -> checkpointPath.startsWith(m.split(":")[1] + "/"))
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("no volume of job-submitter holds " + checkpointPath + ": " + mounts));
        String[] parts = mount.split(":");
        assertThat(parts)
                .as("read-only: the submitter only reads it")
                .hasSize(3)
                .endsWith("ro");
        assertThat(read().path("volumes").has(parts[0]))
                .as("%s is a named volume", parts[0])
                .isTrue();
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(services.path(flink).path("volumes").toString())
                    .as("%s mounts the same volume at the same path", flink)
                    .contains("\"" + parts[0] + ":" + parts[1] + "\"");
        }
        assertThat(command)
                .as("the script adds it unless it restores a savepoint (the job's choice would override -s)")
                .doesNotContain("--resume-from-latest-checkpoint");
        String script = Files.readString(ROOT.resolve("flink-job/submit-job.sh"));
        assertThat(script).contains("\"${job_args[@]}\" --resume-from-latest-checkpoint");
        assertThat(JobUsage.options()).contains("--resume-from-latest-checkpoint");
        // The image holds the script where the entrypoint runs it; a failed submission is tried again.
        String entrypoint = services.at("/job-submitter/entrypoint/0").asText();
        assertThat(Files.readString(
                        ROOT.resolve(services.at("/job-submitter/build/context").asText())
                                .resolve("Dockerfile")))
                .containsPattern("(?m)^COPY submit-job\\.sh " + Pattern.quote(entrypoint) + "$");
        assertThat(services.at("/job-submitter/restart").asText()).isEqualTo("on-failure");
        assertThat(services.at("/job-submitter/environment/STREAMLENS_SAVEPOINT")
                        .asText())
                .isEqualTo("${STREAMLENS_SAVEPOINT:-}");
    }

    @Test
    void theTablesComeFromTheSqlMigrations() throws Exception {
        assertThat(read().toString()).as("no other schema is mounted").doesNotContain("docker-entrypoint-initdb.d");
        Path app = ROOT.resolve("query-service/target/quarkus-app/app");
        Path jar;
        try (Stream<Path> files = Files.list(app)) {
            jar = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .findFirst()
                    .orElseThrow();
        }
        List<Path> migrations;
        try (Stream<Path> files = Files.list(ROOT.resolve("sql"))) {
            migrations = files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted()
                    .toList();
        }
        assertThat(migrations).isNotEmpty();
        try (JarFile packaged = new JarFile(jar.toFile())) {
            Set<String> inJar = new HashSet<>();
            packaged.stream()
                    .filter(e -> e.getName().startsWith("db/migration/")
                            && e.getName().endsWith(".sql"))
                    .forEach(e -> inJar.add(e.getName()));
            assertThat(inJar).hasSize(migrations.size());
            for (Path migration : migrations) {
                var entry = packaged.getEntry("db/migration/" + migration.getFileName());
                assertThat(entry)
                        .as("query-service applies %s", migration.getFileName())
                        .isNotNull();
                assertThat(new String(packaged.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo(Files.readString(migration));
            }
        }
    }

    @Test
    void dockerComposeConfigAcceptsItWhenInstalled() throws Exception {
        Path binary = Path.of("/usr/bin/docker-compose");
        Assumptions.assumeTrue(Files.isExecutable(binary), "docker-compose (Debian package) is not installed");
        ProcessBuilder config = new ProcessBuilder(
                        binary.toString(),
                        "-f",
                        ROOT.resolve("docker-compose.yml").toString(),
                        "config",
                        "--quiet")
                .redirectErrorStream(true);
        config.environment().put("POSTGRES_PASSWORD", "checked-offline");
        Process process = config.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    /** Environment names a service reads: the ${NAME} of its application.properties and its Quarkus config names. */
    private static Set<String> settingsRead(String service) throws Exception {
        Set<String> names = new HashSet<>();
        String properties =
                Files.readString(ROOT.resolve(service).resolve("src/main/resources/application.properties"));
        Matcher placeholder = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(properties);
        while (placeholder.find()) {
            names.add(placeholder.group(1));
        }
        Matcher key = Pattern.compile("(?m)^#?\\s*([a-z][a-z0-9.\"-]+)=").matcher(properties);
        while (key.find()) {
            names.add(key.group(1).replace("\"", "").replaceAll("[.-]", "_").toUpperCase());
        }
        return names;
    }

    private static String property(String name) throws Exception {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static JsonNode read() {
        try {
            return YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        } catch (Exception e) {
            throw new IllegalStateException("docker-compose.yml does not parse", e);
        }
    }
}
