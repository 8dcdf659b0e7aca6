package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.PipelineOutputs;
import dev.streamlens.job.it.Workload;
import dev.streamlens.model.Topics;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shaded job jar on a real Flink session cluster (deploy/flink/README.md, "A session
 * cluster"): uploaded and run over the REST API against Kafka and PostgreSQL, stopped with a
 * savepoint, more events written while it is stopped, resubmitted from the savepoint — and every
 * row of llm_metrics, llm_metrics_hourly and llm.metrics equals the expectation computed from all
 * events, each orphan dead-lettered exactly once, no (window, revision) written twice.
 */
class FlinkSessionClusterIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long WINDOW_MS = 10_000;
    private static final long JOIN_TIMEOUT_MS = 20_000;

    @Test
    void theJobJarRunsOnASessionClusterAndResumesFromASavepointWithoutLossOrDuplicates() throws Exception {
        Path dir = TestDirectories.fresh("flink-cluster");
        Path jobJar = StackProcess.ROOT.resolve("flink-job/target/flink-job-0.1.0-SNAPSHOT-job.jar");
        List<String> args = List.of("--kafka-brokers", KAFKA.bootstrapServers(), "--jdbc-url", POSTGRES.jdbcUrl(),
                "--jdbc-user", "postgres", "--jdbc-password", "postgres",
                "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(), "--checkpoint-interval", "2s",
                "--window", "10s", "--join-timeout", "20s", "--out-of-orderness", "2s", "--idle-timeout", "3s",
                "--allowed-lateness", "5s", "--parallelism", "2");
        // The first part happened 40 minutes ago (the watermark follows the events, then the clock
        // once they stop). The second is stamped from now on: a restored job starts without a
        // watermark, so anything older than where the first run's watermark got to would reopen
        // windows and hours that run had already closed and forgotten — as late data would.
        long start = Instant.now().minus(40, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MINUTES).toEpochMilli();
        Workload first = Workload.generate(21, 600, start, Duration.ofSeconds(60).toMillis(), JOIN_TIMEOUT_MS, 1500,
                3_000, 15_000);

        try (FlinkSessionCluster cluster = FlinkSessionCluster.start(dir, clusterClasspath())) {
            String jar = cluster.upload(jobJar);
            produce(first.deliveries);
            String job = cluster.run(jar, args, null);
            ExpectedMetrics expectedFirst = ExpectedMetrics.of(first, prices(), WINDOW_MS, JOIN_TIMEOUT_MS);
            await("llm_metrics after the first part",
                    () -> MetricsComparison.differences(expectedFirst, PipelineOutputs.table(POSTGRES.dataSource())));

            String savepoint = cluster.stopWithSavepoint(job);
            assertThat(savepoint).startsWith("file:");
            Workload second = Workload.generate(22, 600, System.currentTimeMillis(), Duration.ofSeconds(15).toMillis(),
                    JOIN_TIMEOUT_MS, 1500, 3_000, 15_000);
            produce(second.deliveries); // written while no job runs: read from the savepoint's offsets
            String resumed = cluster.run(jar, args, savepoint);
            assertThat(resumed).isNotEqualTo(job);

            List<Workload.Request> requests = new ArrayList<>(first.requests);
            requests.addAll(second.requests);
            List<Workload.Response> responses = new ArrayList<>(first.responses);
            responses.addAll(second.responses);
            ExpectedMetrics expected = ExpectedMetrics.of(Workload.of(requests, responses), prices(), WINDOW_MS,
                    JOIN_TIMEOUT_MS);
            await("llm_metrics", () -> MetricsComparison.differences(expected, PipelineOutputs.table(POSTGRES.dataSource())));
            await("llm_metrics_hourly", () -> MetricsComparison.differences(expected.hourly(),
                    PipelineOutputs.table(POSTGRES.dataSource(), "llm_metrics_hourly")));
            await("llm.metrics", () -> MetricsComparison.differences(expected,
                    PipelineOutputs.latestRevisions(PipelineOutputs.metricsRecords(KAFKA.bootstrapServers()))));
            Set<String> windowRevisions = new HashSet<>();
            for (JsonNode r : PipelineOutputs.metricsRecords(KAFKA.bootstrapServers())) {
                assertThat(windowRevisions.add(r.get("tenant_id").asText() + "|" + r.get("route").asText() + "|"
                        + r.get("model").asText() + "|" + r.get("window_start").asText() + "#" + r.get("revision")))
                        .as("(window, revision) written twice: %s", r).isTrue();
            }
            // An orphan is dead-lettered once its request can no longer come (its deadline, later than
            // its window's row): wait for them, then none may be there twice.
            await("dead letters", () -> {
                int written = PipelineOutputs.committed(KAFKA.bootstrapServers(), Topics.DEAD_LETTER).size();
                return written >= expected.orphans ? List.of() : List.of(written + " of " + expected.orphans);
            });
            assertThat(PipelineOutputs.committed(KAFKA.bootstrapServers(), Topics.DEAD_LETTER))
                    .as("each orphan dead-lettered once across the savepoint").hasSize((int) expected.orphans);
        }
    }

    /**
     * What a Flink distribution holds — Flink with its web UI, RocksDB and log4j, from the local
     * launcher's classpath — and nothing of the job: not its jar (it is uploaded), not the
     * connectors, Kafka client, JDBC driver or libraries the shaded jar must bring itself.
     */
    private static String clusterClasspath() throws Exception {
        List<String> jobOnly = List.of("flink-connector-kafka", "/org/apache/kafka/",
                "/org/postgresql/", "/com/datadoghq/", "/info/picocli/", "/com/fasterxml/jackson/", "/io/zonky/",
                "/org/flywaydb/", "/dev/streamlens/");
        try (InputStream in = FlinkSessionClusterIT.class.getResourceAsStream("/streamlens/job.classpath")) {
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split(java.io.File.pathSeparator))
                    .filter(entry -> jobOnly.stream().noneMatch(entry::contains))
                    .filter(entry -> !entry.startsWith(StackProcess.ROOT.toString()))
                    .collect(Collectors.joining(java.io.File.pathSeparator));
        }
    }

    private static byte[] prices() throws Exception {
        try (InputStream in = FlinkSessionClusterIT.class.getResourceAsStream("/pricing/default-prices.json")) {
            return in.readAllBytes();
        }
    }

    private static void produce(List<Workload.Delivery> deliveries) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            deliveries.forEach(d -> producer.send(new ProducerRecord<>(d.topic(), d.key(), d.value())));
            producer.flush();
        }
    }

    private static void await(String what, Supplier<List<String>> differences) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        List<String> last = differences.get();
        while (!last.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            last = differences.get();
        }
        assertThat(last).as(what + " against the expectation").isEmpty();
    }
}
