package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlens.job.JobSettings;
import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.PriceVersion;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.math.BigDecimal;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Prices changed while the job runs: a price version published on {@code llm.prices} (as {@code PUT
 * /v1/prices} publishes it) prices the calls of its effective time on, without a restart; calls
 * before it keep the earlier prices, also a late one arriving after the version; every row says the
 * version its calls were priced as of.
 */
class PriceVersionsIT {

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
    private static final String TENANT = "acme";
    private static final String IN_HOUSE = "in-house-llm";
    /** The version's entries: the in-house model at 1 USD in, 2 USD out per million tokens. */
    private static final String ENTRIES =
            "{\"models\": {\"in-house-llm\": {\"input_per_million\": 1, \"output_per_million\": 2}}}";

    private final List<Workload.Delivery> deliveries = new ArrayList<>();

    @Test
    void aVersionPricesTheCallsOfItsTimeOnAndALateCallKeepsTheEarlierPrice() throws Exception {
        long t0 = Instant.now()
                .minus(6, ChronoUnit.MINUTES)
                .truncatedTo(ChronoUnit.MINUTES)
                .toEpochMilli();
        long effective = t0 + 120_000;
        Path work = TestDirectories.fresh("price-versions-it");
        JobSettings settings = JobRun.settings(
                KAFKA.bootstrapServers(), POSTGRES.jdbcUrl(), work, "--pricing-file", "", "--allowed-lateness", "10m");

        // Before the version: two minutes of calls, the in-house model unpriced, gpt-4o at the catalog's price.
        for (int i = 0; i < 4; i++) {
            call("before-" + i, "chat", IN_HOUSE, t0 + 10_000 + i * 30_000, 1_000, 100);
            call("before-gpt-" + i, "chat", "gpt-4o", t0 + 12_000 + i * 30_000, 1_000, 100);
        }
        JobRun.produce(KAFKA.bootstrapServers(), deliveries, 0);
        deliveries.clear();
        JobClient job = JobRun.start(settings, work);
        try {
            JobRun.awaitNoDifferences(
                    "the rows before the version",
                    () -> expect(Map.of(
                            key("chat", IN_HOUSE, t0), new Row(2, BigDecimal.ZERO, 2, 0),
                            key("chat", IN_HOUSE, t0 + 60_000), new Row(2, BigDecimal.ZERO, 2, 0),
                            key("chat", "gpt-4o", t0), new Row(2, gpt4o(2), 0, 0))),
                    Duration.ofMinutes(2));

            publish(new PriceVersion(1, Instant.ofEpochMilli(effective), "PriceVersionsIT", ENTRIES));
            // Until the job has read the version, a probe call of its time would still be unpriced:
            // probe until one is priced as of it (each probe a series of its own).
            int probes = 0;
            boolean read = false;
            while (!read && probes < 60) {
                String route = "probe-" + probes++;
                call(route, route, IN_HOUSE, effective + 90_000, 1_000, 100);
                JobRun.produce(KAFKA.bootstrapServers(), deliveries, 0);
                deliveries.clear();
                Thread.sleep(1000);
                for (int waited = 0; waited < 20 && !read; waited++) {
                    Row probe = rows().get(key(route, IN_HOUSE, effective + 60_000));
                    read = probe != null && probe.version() == 1;
                    if (probe == null) {
                        Thread.sleep(500);
                    } else {
                        break;
                    }
                }
            }
            assertThat(read)
                    .as("the job priced a call with the published version")
                    .isTrue();

            // After it: calls from the effective time on, and a late call for the first window.
            for (int i = 0; i < 3; i++) {
                call("after-" + i, "chat", IN_HOUSE, effective + 5_000 + i * 10_000, 2_000, 300);
            }
            call("after-gpt", "chat", "gpt-4o", effective + 7_000, 1_000, 100);
            call("late", "chat", IN_HOUSE, t0 + 50_000, 1_000, 100);
            JobRun.produce(KAFKA.bootstrapServers(), deliveries, 0);

            // 3 calls of 2,000 in and 300 out at 1 and 2 USD per million.
            BigDecimal inHouse =
                    new BigDecimal(3 * 2_000).add(new BigDecimal(3 * 300 * 2)).movePointLeft(6);
            JobRun.awaitNoDifferences(
                    "the rows after the version",
                    () -> expect(Map.of(
                            key("chat", IN_HOUSE, t0), new Row(3, BigDecimal.ZERO, 3, 0),
                            key("chat", IN_HOUSE, effective), new Row(3, inHouse, 0, 1),
                            key("chat", "gpt-4o", effective), new Row(1, gpt4o(1), 0, 1))),
                    Duration.ofMinutes(2));
        } finally {
            job.cancel().get();
        }
    }

    /** n calls of 1,000 prompt and 100 completion tokens at gpt-4o's catalog price, 2.5 and 10 USD per million. */
    private static BigDecimal gpt4o(int n) {
        return new BigDecimal(n * 1_000)
                .multiply(new BigDecimal("2.5"))
                .add(new BigDecimal(n * 100).multiply(BigDecimal.TEN))
                .movePointLeft(6);
    }

    record Row(long requests, BigDecimal cost, long unpriced, long version) {}

    private static ExpectedMetrics.Key key(String route, String model, long windowStart) {
        return new ExpectedMetrics.Key(TENANT, route, model, windowStart);
    }

    private static List<String> expect(Map<ExpectedMetrics.Key, Row> expected) {
        Map<ExpectedMetrics.Key, Row> actual = rows();
        List<String> differences = new ArrayList<>();
        expected.forEach((key, row) -> {
            Row got = actual.get(key);
            if (got == null
                    || got.requests() != row.requests()
                    || got.cost().compareTo(row.cost()) != 0
                    || got.unpriced() != row.unpriced()
                    || got.version() != row.version()) {
                differences.add(key + ": expected " + row + ", got " + got);
            }
        });
        return differences;
    }

    /** The stored rows, as the figures this test compares. */
    private static Map<ExpectedMetrics.Key, Row> rows() {
        Map<ExpectedMetrics.Key, Row> rows = new HashMap<>();
        PipelineOutputs.table(POSTGRES.dataSource())
                .forEach((key, row) ->
                        rows.put(key, new Row(row.requests(), row.cost(), row.unpriced(), row.priceVersion())));
        return rows;
    }

    private void call(String id, String route, String model, long responseAt, long prompt, long completion) {
        ObjectNode request = JSON.createObjectNode()
                .put("request_id", id)
                .put("tenant_id", TENANT)
                .put("route", route)
                .put("model", model)
                .put("timestamp", Instant.ofEpochMilli(responseAt - 500).toString())
                .put("prompt_tokens", prompt);
        ObjectNode response = JSON.createObjectNode()
                .put("request_id", id)
                .put("timestamp", Instant.ofEpochMilli(responseAt).toString())
                .put("latency_ms", 500)
                .put("completion_tokens", completion);
        deliveries.add(new Workload.Delivery(
                Topics.REQUESTS, id, request.toString().getBytes(StandardCharsets.UTF_8), responseAt - 500));
        deliveries.add(new Workload.Delivery(
                Topics.RESPONSES, id, response.toString().getBytes(StandardCharsets.UTF_8), responseAt));
    }

    private static void publish(PriceVersion version) throws Exception {
        try (KafkaProducer<String, byte[]> producer = JobRun.producer(KAFKA.bootstrapServers())) {
            producer.send(new ProducerRecord<>(Topics.PRICES, Long.toString(version.version()), version.toJson()))
                    .get();
        }
    }
}
