package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.JobSettings;
import dev.streamlens.job.io.KafkaSinks;
import dev.streamlens.model.Topics;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Poison on both input topics lands in the dead-letter topic with its original bytes and a reason
 * naming the field, the job keeps running, and the good records around it are all counted.
 */
class PoisonRecordsIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(5);

    @Test
    void poisonIsDeadLetteredWithItsReasonAndGoodRecordsAreCounted() throws Exception {
        long start = Instant.now()
                .minus(30, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toEpochMilli();
        String ts = Instant.ofEpochMilli(start + 30_000).toString();
        Map<String, String> requestPoison = new HashMap<>(); // value -> field the reason must name
        requestPoison.put("this is not JSON", "body");
        requestPoison.put("[1, 2, 3]", "body");
        requestPoison.put(
                "{\"request_id\": 5, \"tenant_id\": \"acme\", \"route\": \"chat\", \"model\": \"gpt-4o\", "
                        + "\"timestamp\": \"" + ts + "\"}",
                "request_id");
        requestPoison.put("{\"request_id\": \"p1\"}", "tenant_id");
        requestPoison.put(
                "{\"request_id\": \"p2\", \"tenant_id\": \"acme\", \"route\": \"chat\", \"model\": \""
                        + "m".repeat(400_000) + "\", \"timestamp\": \"" + ts + "\"}",
                "model");
        requestPoison.put(
                "{\"request_id\": \"p3\", \"tenant_id\": \"acme\", \"route\": \"chat\", \"model\": \"gpt-4o\", "
                        + "\"timestamp\": \"2025-11-20T10:00:30\", \"prompt_tokens\": 1e400}",
                "prompt_tokens");
        Map<String, String> responsePoison = new HashMap<>();
        responsePoison.put("\u0000\u0001binary", "body");
        responsePoison.put(
                "{\"request_id\": \"p4\", \"timestamp\": \"" + ts + "\", \"latency_ms\": \"fast\"}", "latency_ms");
        responsePoison.put(
                "{\"request_id\": \"p5\", \"timestamp\": \"" + ts + "\", \"completion_tokens\": -1}",
                "completion_tokens");
        responsePoison.put(
                "{\"request_id\": \"p6\", \"timestamp\": \"" + ts + "\", \"error\": {\"code\": 500}}", "error");
        responsePoison.put(
                "{\"request_id\": \"p7\", \"timestamp\": \"" + ts + "\", \"x\": " + "[".repeat(5000) + "]".repeat(5000)
                        + "}",
                "body");

        Workload workload =
                Workload.generate(3, 600, start, Duration.ofMinutes(3).toMillis(), JOIN_TIMEOUT.toMillis(), 2000);
        ExpectedMetrics expected = ExpectedMetrics.of(
                workload, JobRun.PRICES.getBytes(StandardCharsets.UTF_8), 60_000, JOIN_TIMEOUT.toMillis());

        // Poison between the good records, on both topics, plus a record without a value.
        List<Workload.Delivery> deliveries = new ArrayList<>(workload.deliveries);
        int at = 10;
        for (Map.Entry<String, String> p : requestPoison.entrySet()) {
            deliveries.add(
                    Math.min(at, deliveries.size()),
                    new Workload.Delivery(Topics.REQUESTS, "poison", p.getKey().getBytes(StandardCharsets.UTF_8), 0));
            at += 97;
        }
        for (Map.Entry<String, String> p : responsePoison.entrySet()) {
            deliveries.add(
                    Math.min(at, deliveries.size()),
                    new Workload.Delivery(Topics.RESPONSES, "poison", p.getKey().getBytes(StandardCharsets.UTF_8), 0));
            at += 97;
        }
        Path work = TestDirectories.fresh("job-poison");
        JobSettings settings = JobRun.settings(KAFKA.bootstrapServers(), POSTGRES.jdbcUrl(), work);
        JobRun.produce(KAFKA.bootstrapServers(), deliveries, 0);
        try (KafkaProducer<String, byte[]> producer = JobRun.producer(KAFKA.bootstrapServers())) {
            producer.send(new ProducerRecord<>(Topics.RESPONSES, "tombstone", null))
                    .get();
        }

        JobClient job = JobRun.start(settings, work);
        try {
            JobRun.awaitNoDifferences(
                    "llm_metrics",
                    () -> MetricsComparison.differences(expected, PipelineOutputs.table(POSTGRES.dataSource())),
                    Duration.ofMinutes(3));
            int poisonCount = requestPoison.size() + responsePoison.size() + 1;
            List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (deadLetters.size() < poisonCount + expected.orphans && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                deadLetters = PipelineOutputs.committed(KAFKA.bootstrapServers(), Topics.DEAD_LETTER);
            }
            assertThat(deadLetters).hasSize((int) (poisonCount + expected.orphans));

            Map<String, String> reasons = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : deadLetters) {
                if ("poison".equals(key(r)) || "tombstone".equals(key(r))) {
                    reasons.put(
                            r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8),
                            header(r, KafkaSinks.REASON_HEADER) + " @" + header(r, KafkaSinks.SOURCE_TOPIC_HEADER));
                }
            }
            requestPoison.forEach((value, field) -> assertThat(reasons.get(value))
                    .as("reason for %s", value.substring(0, Math.min(60, value.length())))
                    .contains(field + ":")
                    .endsWith("@" + Topics.REQUESTS));
            responsePoison.forEach((value, field) -> assertThat(reasons.get(value))
                    .as("reason for %s", value.substring(0, Math.min(60, value.length())))
                    .contains(field + ":")
                    .endsWith("@" + Topics.RESPONSES));
            assertThat(reasons.get("")).startsWith("body: record has no value");
        } finally {
            job.cancel().get();
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
