package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.it.Workload;
import dev.streamlens.model.Topics;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shaded job jar on a real Flink session cluster (deploy/flink/README.md, "A session
 * cluster") of two TaskManagers: uploaded and run over the REST API against Kafka and PostgreSQL.
 * Rescaled through savepoints (parallelism 2 → 4 → 1, events written while it is stopped, calls
 * cut in half by each stop): every row of llm_metrics,
 * llm_metrics_hourly and llm.metrics equals the expectation computed from all events, each orphan
 * dead-lettered exactly once, no (window, revision) written twice.
 */
class FlinkSessionClusterIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final String CONSUMER_GROUP = "streamlens-metrics-job";
    private static final long JOIN_TIMEOUT_MS = SessionClusterJob.JOIN_TIMEOUT_MS;

    @Test
    void rescalesFromSavepointsTwoToFourToOneWithoutLossOrDuplicates() throws Exception {
        Path dir = TestDirectories.fresh("flink-rescale");
        SessionClusterJob streamlens =
                new SessionClusterJob(KAFKA.bootstrapServers(), POSTGRES.jdbcUrl(), POSTGRES.dataSource());
        List<String> args = streamlens.arguments(dir);
        // The first part happened 40 minutes ago (the watermark follows the events, then the clock
        // once they stop). Later parts are stamped from now on: a restored job starts without a
        // watermark, so anything older than where the previous run's watermark got to would reopen
        // windows and hours that run had already closed and forgotten — as late data would.
        long start = Instant.now()
                .minus(40, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toEpochMilli();
        Workload first = Workload.generate(
                21, 600, start, Duration.ofSeconds(60).toMillis(), JOIN_TIMEOUT_MS, 1500, 3_000, 15_000);
        SessionClusterJob.Written written = new SessionClusterJob.Written();

        try (FlinkSessionCluster cluster = FlinkSessionCluster.start(dir, SessionClusterJob.clusterClasspath(), 2)) {
            String jar = cluster.upload(SessionClusterJob.jar());
            streamlens.produce(first.deliveries);
            written.add(first);
            String job = cluster.run(jar, args, null, 2);
            streamlens.awaitMinuteRows(written.expected());

            int seed = 30;
            for (int parallelism : new int[] {4, 1}) {
                // Calls cut by the stop: their first halves are in the savepoint's state.
                Straddlers cut = Straddlers.of("cut-" + parallelism, System.currentTimeMillis() + 5_000, 30);
                streamlens.produce(cut.beforeStop);
                awaitReadAndCheckpointed();
                String savepoint = cluster.stopWithSavepoint(job);
                assertThat(savepoint).startsWith("file:");

                Workload meanwhile = Workload.generate(
                        seed++,
                        400,
                        System.currentTimeMillis() + 10_000,
                        Duration.ofSeconds(15).toMillis(),
                        JOIN_TIMEOUT_MS,
                        1500,
                        3_000,
                        15_000);
                streamlens.produce(cut.whileDown);
                streamlens.produce(
                        meanwhile.deliveries); // written while no job runs: read from the savepoint's offsets
                written.add(cut.requests, cut.responses);
                written.add(meanwhile);

                String resumed = cluster.run(jar, args, savepoint, parallelism);
                assertThat(resumed).isNotEqualTo(job);
                job = resumed;
                assertThat(cluster.vertices(job)).anySatisfy(vertex -> {
                    assertThat(vertex.path("name").asText()).contains("aggregate windows");
                    assertThat(vertex.path("parallelism").asInt()).isEqualTo(parallelism);
                });
                streamlens.awaitMinuteRows(written.expected());
            }
            streamlens.awaitEveryOutput(written.expected());
        }
    }

    /**
     * Calls a stop cuts in two: the first half of each is read before the savepoint, the rest is
     * written while the job is down and read after the rescale. A third are requests waiting for their
     * response, a third responses waiting for their request, a third complete calls whose client
     * retries both events after the rescale (duplicates, to be counted once). Stamped a few seconds
     * ahead, so that no part of them is older than the stopped job's watermark.
     */
    private static final class Straddlers {
        final List<Workload.Request> requests = new ArrayList<>();
        final List<Workload.Response> responses = new ArrayList<>();
        final List<Workload.Delivery> beforeStop = new ArrayList<>();
        final List<Workload.Delivery> whileDown = new ArrayList<>();

        static Straddlers of(String name, long at, int count) {
            Straddlers s = new Straddlers();
            for (int i = 0; i < count; i++) {
                Workload.Request request = new Workload.Request(
                        name + "-" + i,
                        Workload.TENANTS[i % 3],
                        Workload.ROUTES[(i / 3) % 3],
                        Workload.MODELS[i % 4],
                        at + i * 10L,
                        100 + i);
                Workload.Response response =
                        new Workload.Response(request.id(), request.ts() + 2_000, 2_000.0, 50 + i, null);
                s.requests.add(request);
                s.responses.add(response);
                Workload.Delivery req =
                        new Workload.Delivery(Topics.REQUESTS, request.id(), Workload.requestJson(request), 0);
                Workload.Delivery resp =
                        new Workload.Delivery(Topics.RESPONSES, request.id(), Workload.responseJson(response), 0);
                switch (i % 3) {
                    case 0 -> {
                        s.beforeStop.add(req);
                        s.whileDown.add(resp);
                    }
                    case 1 -> {
                        s.beforeStop.add(resp);
                        s.whileDown.add(req);
                    }
                    default -> {
                        s.beforeStop.addAll(List.of(req, resp));
                        s.whileDown.addAll(List.of(req, resp));
                    }
                }
            }
            return s;
        }
    }

    /**
     * Waits until the job has committed offsets (at a completed checkpoint) past every record the
     * event topics hold now: whatever was produced before is in the job's state, not only in Kafka.
     */
    private static void awaitReadAndCheckpointed() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : List.of(Topics.REQUESTS, Topics.RESPONSES)) {
                admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get()
                        .get(topic)
                        .partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            SessionClusterJob.await("offsets committed past the records before the stop", () -> {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(CONSUMER_GROUP)
                            .partitionsToOffsetAndMetadata()
                            .get();
                    return end.entrySet().stream()
                            .filter(e -> e.getValue() > 0)
                            .filter(e -> committed.get(e.getKey()) == null
                                    || committed.get(e.getKey()).offset() < e.getValue())
                            .map(e -> e.getKey() + " committed " + committed.get(e.getKey()) + " < " + e.getValue())
                            .toList();
                } catch (Exception e) {
                    return List.of(e.toString());
                }
            });
        }
    }
}
