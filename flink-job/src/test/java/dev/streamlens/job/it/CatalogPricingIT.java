package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlens.job.JobSettings;
import dev.streamlens.model.Topics;
import dev.streamlens.model.pricing.OracleCalls;
import dev.streamlens.model.pricing.PriceCatalog;
import dev.streamlens.testing.KafkaBrokerExtension;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The price catalog through the whole job: calls drawn across every provider of the catalog (cache
 * reads and writes, reasoning tokens, prompts either side of tier starts, times either side of dated
 * changes), sent as JSON events through Kafka to the real job with no price file of its own, each in
 * a series of its own; every row's cost in PostgreSQL equals what Pydantic's own {@code calcPrice}
 * says the call costs, to the micro-dollar, and the calls it cannot price are unpriced.
 */
class CatalogPricingIT {

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
    private static final Path ORACLE = Path.of("target", "genai-prices-oracle");
    private static final BigDecimal MICRO_DOLLAR = new BigDecimal("0.000001");
    private static final String TENANT = "pricing";

    @Test
    void everyCallCostsWhatTheCatalogsOwnCalculatorSays() throws Exception {
        assertThat(ORACLE.resolve("node_modules"))
                .as("installed by the build (npm ci)")
                .isDirectory();
        Path work = TestDirectories.fresh("catalog-pricing-it");
        Path catalogFile = work.resolve("data.json");
        try (InputStream in = PriceCatalog.class.getResourceAsStream(PriceCatalog.BUNDLED)) {
            Files.write(catalogFile, in.readAllBytes());
        }
        // Not the calls of dated changes still to come (2027-01-01): the job refuses events from the future.
        Instant now = Instant.now();
        List<OracleCalls.Call> calls =
                new ArrayList<>(OracleCalls.draw(JSON.readTree(catalogFile.toFile()), new Random(7)).stream()
                        .filter(call -> call.time().isBefore(now))
                        .toList());
        calls.add(new OracleCalls.Call(
                null, "in-house-llm", calls.get(0).time(), calls.get(0).usage()));
        calls.sort(Comparator.comparing(OracleCalls.Call::time));
        JsonNode oracle = OracleCalls.oracle(calls, ORACLE, catalogFile);

        Map<ExpectedMetrics.Key, BigDecimal> expectedCost = new java.util.HashMap<>();
        Set<ExpectedMetrics.Key> expectedUnpriced = new HashSet<>();
        Set<String> providers = new HashSet<>();
        List<Workload.Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            OracleCalls.Call call = calls.get(i);
            String route = "call-%04d".formatted(i);
            ExpectedMetrics.Key key = new ExpectedMetrics.Key(
                    TENANT,
                    route,
                    call.model(),
                    call.time().truncatedTo(ChronoUnit.MINUTES).toEpochMilli());
            JsonNode price = oracle.get(i);
            if (price.get("usd").isNull()) {
                expectedUnpriced.add(key);
            } else {
                expectedCost.put(key, price.get("usd").decimalValue());
                providers.add(price.get("provider").asText());
            }
            deliveries.addAll(events(call, "catalog-" + i, route));
        }
        assertThat(expectedCost).as("calls the oracle priced").hasSizeGreaterThanOrEqualTo(200);
        assertThat(providers).as("providers priced").hasSizeGreaterThanOrEqualTo(30);
        assertThat(expectedUnpriced).as("calls nothing prices").isNotEmpty();

        JobSettings settings = JobRun.settings(
                KAFKA.bootstrapServers(), POSTGRES.jdbcUrl(), work, "--pricing-file", ""); // the catalog alone
        JobRun.produce(KAFKA.bootstrapServers(), deliveries, 0);
        JobClient job = JobRun.start(settings, work);
        try {
            JobRun.awaitNoDifferences(
                    "the cost of every call", () -> differences(expectedCost, expectedUnpriced), Duration.ofMinutes(3));
        } finally {
            job.cancel().get();
        }
    }

    /** The call as an application posts it: the request (with its provider), then the response. */
    private static List<Workload.Delivery> events(OracleCalls.Call call, String id, String route) {
        ObjectNode request = JSON.createObjectNode()
                .put("request_id", id)
                .put("tenant_id", TENANT)
                .put("route", route)
                .put("model", call.model())
                .put("timestamp", call.time().minusSeconds(1).toString())
                .put("prompt_tokens", call.usage().promptTokens());
        if (call.provider() != null) {
            request.put("provider", call.provider());
        }
        ObjectNode response = JSON.createObjectNode()
                .put("request_id", id)
                .put("timestamp", call.time().toString())
                .put("latency_ms", 1000)
                .put("completion_tokens", call.usage().completionTokens())
                .put("cached_prompt_tokens", call.usage().cachedPromptTokens())
                .put("cache_write_tokens", call.usage().cacheWriteTokens())
                .put("reasoning_tokens", call.usage().reasoningTokens());
        long at = call.time().toEpochMilli();
        return List.of(
                new Workload.Delivery(Topics.REQUESTS, id, request.toString().getBytes(), at - 1000),
                new Workload.Delivery(Topics.RESPONSES, id, response.toString().getBytes(), at));
    }

    private static List<String> differences(
            Map<ExpectedMetrics.Key, BigDecimal> expectedCost, Set<ExpectedMetrics.Key> expectedUnpriced) {
        Map<ExpectedMetrics.Key, PipelineOutputs.Actual> rows = PipelineOutputs.table(POSTGRES.dataSource());
        List<String> differences = new ArrayList<>();
        expectedCost.forEach((key, usd) -> {
            PipelineOutputs.Actual row = rows.get(key);
            if (row == null) {
                differences.add(key + ": no row");
            } else if (row.unpriced() != 0 || row.cost().subtract(usd).abs().compareTo(MICRO_DOLLAR) >= 0) {
                differences.add(key + ": " + row.cost() + " USD (" + row.unpriced() + " unpriced), calcPrice " + usd);
            }
        });
        for (ExpectedMetrics.Key key : expectedUnpriced) {
            PipelineOutputs.Actual row = rows.get(key);
            if (row == null || row.unpriced() != 1 || row.cost().signum() != 0) {
                differences.add(key + ": expected unpriced, got " + row);
            }
        }
        return differences;
    }
}
