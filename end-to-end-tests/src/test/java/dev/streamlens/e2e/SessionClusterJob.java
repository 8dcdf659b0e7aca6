package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.PipelineOutputs;
import dev.streamlens.job.it.Workload;
import dev.streamlens.model.Topics;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The job jar on a {@link FlinkSessionCluster} against a test's Kafka and PostgreSQL: its arguments,
 * the cluster's classpath, feeding it, and what every run must end with.
 */
final class SessionClusterJob {

    static final long WINDOW_MS = 10_000;
    static final long JOIN_TIMEOUT_MS = 30_000;

    private final String kafka;
    private final String jdbcUrl;
    private final DataSource postgres;

    SessionClusterJob(String kafka, String jdbcUrl, DataSource postgres) {
        this.kafka = kafka;
        this.jdbcUrl = jdbcUrl;
        this.postgres = postgres;
    }

    static Path jar() {
        return StackProcess.ROOT.resolve("flink-job/target/flink-job-0.1.0-SNAPSHOT-job.jar");
    }

    /** The job's arguments: short windows and timeouts, checkpoints every 2 s under the test's directory. */
    List<String> arguments(Path dir) {
        return List.of(
                "--kafka-brokers",
                kafka,
                "--jdbc-url",
                jdbcUrl,
                "--jdbc-user",
                "postgres",
                "--jdbc-password",
                "postgres",
                "--checkpoint-dir",
                dir.resolve("checkpoints").toUri().toString(),
                "--checkpoint-interval",
                "2s",
                "--window",
                "10s",
                "--join-timeout",
                "30s",
                "--out-of-orderness",
                "2s",
                "--idle-timeout",
                "3s",
                "--allowed-lateness",
                "5s",
                // a custom dimension: every row's values of it are compared with the calls', rescaled
                "--tag-keys",
                "feature");
    }

    /**
     * What a Flink distribution holds — Flink with its web UI, RocksDB and log4j, from the local
     * launcher's classpath — and nothing of the job: not its jar (it is uploaded), not the
     * connectors, Kafka client, JDBC driver or libraries the shaded jar must bring itself.
     */
    static String clusterClasspath() throws Exception {
        List<String> jobOnly = List.of(
                "flink-connector-kafka",
                "/org/apache/kafka/",
                "/org/postgresql/",
                "/com/datadoghq/",
                "/info/picocli/",
                "/com/fasterxml/jackson/",
                "/io/zonky/",
                "/org/flywaydb/",
                "/dev/streamlens/",
                "/org/apache/parquet/",
                "/org/apache/hadoop/",
                "/org/apache/avro/",
                "flink-parquet");
        try (InputStream in = SessionClusterJob.class.getResourceAsStream("/streamlens/job.classpath")) {
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .trim()
                            .split(java.io.File.pathSeparator))
                    .filter(entry -> jobOnly.stream().noneMatch(entry::contains))
                    .filter(entry -> !entry.startsWith(StackProcess.ROOT.toString()))
                    .collect(Collectors.joining(java.io.File.pathSeparator));
        }
    }

    /** Everything written so far: what the expectation is computed from. */
    static final class Written {
        private final List<Workload.Request> requests = new ArrayList<>();
        private final List<Workload.Response> responses = new ArrayList<>();

        void add(Workload workload) {
            add(workload.requests, workload.responses);
        }

        void add(List<Workload.Request> moreRequests, List<Workload.Response> moreResponses) {
            requests.addAll(moreRequests);
            responses.addAll(moreResponses);
        }

        ExpectedMetrics expected() throws Exception {
            try (InputStream in = SessionClusterJob.class.getResourceAsStream("/pricing/default-prices.json")) {
                return ExpectedMetrics.of(
                        Workload.of(requests, responses), in.readAllBytes(), WINDOW_MS, JOIN_TIMEOUT_MS);
            }
        }
    }

    /** Produces deliveries at once, in order. */
    void produce(List<Workload.Delivery> deliveries) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            deliveries.forEach(d -> producer.send(new ProducerRecord<>(d.topic(), d.key(), d.value())));
            producer.flush();
        }
    }

    /** Produces each delivery at its {@code deliverAt} wall-clock time, as live traffic arrives. */
    void producePaced(List<Workload.Delivery> deliveries) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (Workload.Delivery d : deliveries) {
                long wait = d.deliverAt() - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                producer.send(new ProducerRecord<>(d.topic(), d.key(), d.value()));
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Waits until llm_metrics equals the expectation. */
    void awaitMinuteRows(ExpectedMetrics expected) throws InterruptedException {
        await("llm_metrics", () -> MetricsComparison.differences(expected, PipelineOutputs.table(postgres)));
    }

    /**
     * Waits until llm_metrics, llm_metrics_hourly, llm.metrics (latest revisions) and the dead
     * letters equal the expectation; checks that no (window, revision) is on llm.metrics twice and
     * no orphan dead-lettered twice.
     */
    void awaitEveryOutput(ExpectedMetrics expected) throws InterruptedException {
        awaitMinuteRows(expected);
        await(
                "llm_metrics_hourly",
                () -> MetricsComparison.differences(
                        expected.hourly(), PipelineOutputs.table(postgres, "llm_metrics_hourly")));
        await(
                "llm.metrics",
                () -> MetricsComparison.differences(
                        expected, PipelineOutputs.latestRevisions(PipelineOutputs.metricsRecords(kafka))));
        Set<String> windowRevisions = new HashSet<>();
        for (JsonNode r : PipelineOutputs.metricsRecords(kafka)) {
            assertThat(windowRevisions.add(r.get("tenant_id").asText() + "|"
                            + r.get("route").asText() + "|" + r.get("model").asText() + "|"
                            + r.get("window_start").asText() + "#" + r.get("revision")))
                    .as("(window, revision) written twice: %s", r)
                    .isTrue();
        }
        // An orphan is dead-lettered once its request can no longer come (its deadline, later than
        // its window's row): wait for them, then none may be there twice.
        await("dead letters", () -> {
            int letters = PipelineOutputs.committed(kafka, Topics.DEAD_LETTER).size();
            return letters >= expected.orphans ? List.of() : List.of(letters + " of " + expected.orphans);
        });
        assertThat(PipelineOutputs.committed(kafka, Topics.DEAD_LETTER))
                .as("each orphan dead-lettered once")
                .hasSize((int) expected.orphans);
    }

    static void await(String what, Supplier<List<String>> differences) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        List<String> last = differences.get();
        while (!last.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            last = differences.get();
        }
        assertThat(last).as(what + " against the expectation").isEmpty();
    }
}
