package dev.streamlens.model.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Calls drawn across the price catalog, and what Pydantic's own calculator ({@code
 * @pydantic/genai-prices}, pinned in src/test/js/genai-prices-oracle) says they cost: the
 * independent side of CatalogOracleIT here and of the job's CatalogPricingIT (this module's test
 * jar).
 */
public final class OracleCalls {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long[] TIER_STARTS = {128_000, 200_000, 272_000, 512_000};

    /** A call to price: the provider it names (or none), the model, when, and its tokens. */
    public record Call(String provider, String model, Instant time, PriceSet.Usage usage) {}

    private OracleCalls() {}

    /**
     * Calls across the catalog: per provider a few of its models (named as their match rules name
     * them), a quarter without the provider, and the dated-change and tiered models on both sides of
     * their dates and tier starts.
     */
    public static List<Call> draw(JsonNode catalog, Random random) {
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
        if (edges.size() <= 5) {
            throw new IllegalStateException("the catalog has too few dated changes to test: " + edges);
        }
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

    /**
     * What {@code calcPrice} says of each call, in order: {@code {"usd": number | null, "provider":
     * id | null, "model": id | null}}.
     *
     * @param oracle  the directory the build installed the oracle into (npm ci)
     * @param catalog the catalog file both sides price from
     */
    public static JsonNode oracle(List<Call> calls, Path oracle, Path catalog) throws Exception {
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
                        "node", "price-calls.mjs", catalog.toAbsolutePath().toString(), file.toString())
                .directory(oracle.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!node.waitFor(120, TimeUnit.SECONDS) || node.exitValue() != 0) {
            throw new IllegalStateException("the oracle failed: " + out);
        }
        return JSON.readTree(out);
    }

    private static void putIfPositive(ObjectNode usage, String key, long value) {
        if (value > 0) {
            usage.put(key, value);
        }
    }
}
