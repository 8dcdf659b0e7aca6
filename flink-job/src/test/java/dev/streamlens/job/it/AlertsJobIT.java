package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.job.JobSettings;
import dev.streamlens.model.AlertRule;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.Topics;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real job with an alert rule on {@code llm.alert-rules}: calls whose error rate crosses it for
 * one minute give exactly one committed firing and one resolved transition on {@code llm.alerts},
 * with the figures of that minute; the rules stream, quiet after its one record, holds no
 * window back.
 */
class AlertsJobIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anErrorRateThatCrossesItsRuleFiresAndResolvesOnceOnLlmAlerts() throws Exception {
        AlertRule rule = new AlertRule(
                "alert-co-errors",
                "alert-co",
                null,
                null,
                "error_rate",
                25.0,
                null,
                1,
                10L,
                0L,
                0L,
                null,
                null,
                null,
                3L);
        try (KafkaProducer<String, byte[]> producer = JobRun.producer(KAFKA.bootstrapServers())) {
            producer.send(new ProducerRecord<>(Topics.ALERT_RULES, rule.ruleId(), EventJson.toBytes(rule)))
                    .get();
            // a record that is no rule is skipped, not fatal
            producer.send(new ProducerRecord<>(Topics.ALERT_RULES, "broken", "{".getBytes()))
                    .get();
        }
        // Three minutes in the recent past: 20 calls each, 10 of them failed in the second minute only.
        long start = Instant.now()
                .minus(30, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toEpochMilli();
        List<Workload.Delivery> deliveries = new ArrayList<>();
        for (int minute = 0; minute < 3; minute++) {
            for (int i = 0; i < 20; i++) {
                long ts = start + minute * 60_000L + i * 2_000L;
                String id = "alert-" + minute + "-" + i;
                Workload.Request request = new Workload.Request(id, "alert-co", "chat", "gpt-4o", ts, 100);
                Workload.Response response = new Workload.Response(
                        id, ts + 500, 500.0, 20, minute == 1 && i < 10 ? "rate_limit_exceeded" : null);
                deliveries.add(new Workload.Delivery(Topics.REQUESTS, id, Workload.requestJson(request), ts));
                deliveries.add(new Workload.Delivery(Topics.RESPONSES, id, Workload.responseJson(response), ts + 500));
            }
        }
        JobRun.produce(KAFKA.bootstrapServers(), deliveries, 0);

        Path work = TestDirectories.fresh("alerts-it");
        JobSettings settings = JobRun.settings(KAFKA.bootstrapServers(), POSTGRES.jdbcUrl(), work);
        JobClient job = JobRun.start(settings, work);
        try {
            List<JsonNode> alerts = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (alerts.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                alerts.clear();
                for (var record : PipelineOutputs.committed(KAFKA.bootstrapServers(), Topics.ALERTS)) {
                    alerts.add(JSON.readTree(record.value()));
                }
            }
            assertThat(alerts).extracting(a -> a.get("state").asText()).containsExactly("firing", "resolved");
            JsonNode firing = alerts.get(0);
            assertThat(firing.get("alert_id").asText()).isEqualTo("alert-co-errors");
            assertThat(firing.get("rule_version").asLong()).isEqualTo(3);
            assertThat(firing.get("requests").asLong()).isEqualTo(20);
            assertThat(firing.get("errors").asLong()).isEqualTo(10);
            assertThat(firing.get("value").asDouble()).isEqualTo(50.0);
            assertThat(firing.get("window_start").asText())
                    .isEqualTo(Instant.ofEpochMilli(start + 60_000).toString());
            assertThat(firing.get("window_end").asText())
                    .isEqualTo(Instant.ofEpochMilli(start + 120_000).toString());
            assertThat(alerts.get(1).get("window_end").asText())
                    .isEqualTo(Instant.ofEpochMilli(start + 180_000).toString());
            assertThat(alerts.get(1).get("idempotency_key").asText())
                    .isEqualTo("alert-co-errors/" + (start + 120_000) + "/resolved");
            Thread.sleep(3000);
            assertThat(PipelineOutputs.committed(KAFKA.bootstrapServers(), Topics.ALERTS))
                    .as("nothing more")
                    .hasSize(2);
        } finally {
            job.cancel().get();
        }
    }
}
