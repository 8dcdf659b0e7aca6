package dev.streamlens.model.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An independent oracle: Pydantic's own calculator ({@code @pydantic/genai-prices} 0.1.8, pinned in
 * src/test/js/genai-prices-oracle and installed by the build) prices the same calls from the same
 * catalog file, and StreamLens's price must equal its {@code calcPrice} to the micro-dollar — the
 * same model found under the same provider, or neither priced. The calls are drawn across every
 * provider of the catalog, with cached, cache-written and reasoning tokens, prompts either side of
 * every tier start and times either side of every dated change.
 */
class CatalogOracleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CATALOG_FILE = Path.of("src/main/resources/pricing/genai-prices/data.json");
    private static final Path ORACLE = Path.of("target", "genai-prices-oracle");
    private static final long[] TIER_STARTS = {128_000, 200_000, 272_000, 512_000};
    private static final BigDecimal PICO_PER_USD = BigDecimal.TEN.pow(12);
    private static final BigDecimal MICRO_DOLLAR = new BigDecimal("0.000001");

    /** A call to price: the provider it names (or none), the model, when, and its tokens. */
    record Call(String provider, String model, Instant time, PriceSet.Usage usage) {}

    @Test
    void everyCallIsPricedAsPydanticsOwnCalculatorPricesIt() throws Exception {
        assertThat(ORACLE.resolve("node_modules"))
                .as("installed by the build (npm ci)")
                .isDirectory();
        JsonNode catalogJson = JSON.readTree(CATALOG_FILE.toFile());
        List<Call> calls = draw(catalogJson, new Random(32));
        JsonNode oracle = oracle(calls);
        PriceCatalog catalog = PriceCatalog.bundled();

        List<String> differences = new ArrayList<>();
        Set<String> providersPriced = new HashSet<>();
        int priced = 0;
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            JsonNode expected = oracle.get(i);
            var found = catalog.find(call.provider(), call.model());
            if (expected.get("usd").isNull()) {
                if (found.isPresent()) {
                    differences.add(call + ": the oracle prices nothing, StreamLens "
                            + found.get().provider() + "/" + found.get().id());
                }
                continue;
            }
            if (found.isEmpty()) {
                differences.add(call + ": unpriced, the oracle " + expected);
                continue;
            }
            BigDecimal usd = BigDecimal.valueOf(
                            found.get().prices().at(call.time()).picoDollars(call.usage()))
                    .divide(PICO_PER_USD);
            BigDecimal oracleUsd = expected.get("usd").decimalValue();
            if (!found.get().provider().equals(expected.get("provider").asText())
                    || !found.get().id().equals(expected.get("model").asText())
                    || usd.subtract(oracleUsd).abs().compareTo(MICRO_DOLLAR) >= 0) {
                differences.add(call + ": " + found.get().provider() + "/"
                        + found.get().id() + " " + usd + " USD, the oracle " + expected);
            }
            priced++;
            providersPriced.add(expected.get("provider").asText());
        }
        assertThat(differences.size() > 20 ? differences.subList(0, 20) : differences)
                .as("calls priced differently (of %d)", calls.size())
                .isEmpty();
        assertThat(priced).as("calls the oracle priced").isGreaterThanOrEqualTo(200);
        assertThat(providersPriced).as("providers priced").hasSizeGreaterThanOrEqualTo(30);
    }

    /**
     * Calls across the catalog: per provider a few of its models (named as their match rules name
     * them), a quarter without the provider, and the dated-change and tiered models on both sides of
     * their dates and tier starts.
     */
    private static List<Call> draw(JsonNode catalog, Random random) {
        List<Call> calls = new ArrayList<>();
        List<Instant> edges = new ArrayList<>(List.of(Instant.parse("2026-12-05T12:00:00Z")));
        for (JsonNode provider : catalog) {
            String providerId = provider.get("id").asText();
            List<JsonNode> models = new ArrayList<>();
            provider.get("models").forEach(models::add);
            for (int n = 0; n < 8 && !models.isEmpty(); n++) {
                JsonNode model = models.remove(random.nextInt(models.size()));
                name(model.get("match"))
                        .ifPresent(name -> calls.add(new Call(
                                random.nextInt(4) == 0 ? null : providerId,
                                name,
                                Instant.parse("2026-12-05T00:00:00Z").plusSeconds(random.nextInt(86_400)),
                                usage(random, random.nextLong(1, 20_000)))));
            }
            for (JsonNode model : provider.get("models")) {
                boolean dated = model.get("prices").isArray();
                boolean tiered = model.get("prices").toString().contains("\"tiers\"");
                if (!dated && !tiered) {
                    continue;
                }
                List<Instant> times = new ArrayList<>(List.of(Instant.parse("2026-12-05T20:00:00Z")));
                if (dated) {
                    for (JsonNode conditional : model.get("prices")) {
                        JsonNode start = conditional.path("constraint").path("start_date");
                        if (start.isTextual()) {
                            Instant midnight = Instant.parse(start.asText() + "T00:00:00Z");
                            times.add(midnight.minusSeconds(1));
                            times.add(midnight);
                            edges.add(midnight);
                        }
                    }
                    times.add(Instant.parse("2026-12-05T12:00:00Z")); // inside an off-peak window
                }
                for (Instant time : times) {
                    long start = TIER_STARTS[random.nextInt(TIER_STARTS.length)];
                    for (long prompt : new long[] {start, start + 1}) {
                        String name = name(model.get("match")).orElse(null);
                        if (name != null) {
                            calls.add(new Call(providerId, name, time, usage(random, prompt)));
                        }
                    }
                }
            }
        }
        assertThat(edges).as("dated changes in the catalog").hasSizeGreaterThan(5);
        return calls;
    }

    /** Tokens of a call with this prompt: cache reads, cache writes and reasoning now and then. */
    private static PriceSet.Usage usage(Random random, long prompt) {
        long cached = random.nextInt(100) < 40 ? random.nextLong(prompt + 1) : 0;
        long written = random.nextInt(100) < 20 ? random.nextLong(prompt - cached + 1) : 0;
        long completion = random.nextLong(0, 5_000);
        long reasoning = random.nextInt(100) < 30 ? random.nextLong(completion + 1) : 0;
        return new PriceSet.Usage(prompt, cached, written, completion, reasoning);
    }

    /** A model id the rule matches: its first {@code equals} or {@code starts_with} text. */
    private static java.util.Optional<String> name(JsonNode rule) {
        if (rule.has("equals")) {
            return java.util.Optional.of(rule.get("equals").asText());
        }
        if (rule.has("starts_with")) {
            return java.util.Optional.of(rule.get("starts_with").asText());
        }
        for (String group : new String[] {"or", "and"}) {
            if (rule.has(group)) {
                for (JsonNode inner : rule.get(group)) {
                    java.util.Optional<String> name = name(inner);
                    if (name.isPresent()) {
                        return name;
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static JsonNode oracle(List<Call> calls) throws Exception {
        ArrayNode requests = JSON.createArrayNode();
        for (Call call : calls) {
            ObjectNode request = requests.addObject();
            request.put("provider", call.provider());
            request.put("model", call.model());
            request.put("timestamp", call.time().toString());
            ObjectNode usage = request.putObject("usage");
            usage.put("input_tokens", call.usage().promptTokens());
            usage.put("output_tokens", call.usage().completionTokens());
            putIfPositive(usage, "cache_read_tokens", call.usage().cachedPromptTokens());
            putIfPositive(usage, "cache_write_tokens", call.usage().cacheWriteTokens());
            putIfPositive(usage, "output_reasoning_tokens", call.usage().reasoningTokens());
        }
        Path file = Files.createTempFile("oracle-calls", ".json");
        Files.writeString(file, requests.toString());
        Process node = new ProcessBuilder(
                        "node", "price-calls.mjs", CATALOG_FILE.toAbsolutePath().toString(), file.toString())
                .directory(ORACLE.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        return JSON.readTree(out);
    }

    private static void putIfPositive(ObjectNode usage, String key, long value) {
        if (value > 0) {
            usage.put(key, value);
        }
    }
}
