package dev.streamlens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.pricing.CallPricer;
import dev.streamlens.model.pricing.PriceCatalog;
import dev.streamlens.model.pricing.PriceSet;
import dev.streamlens.model.pricing.PriceVersions;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread cost of pricing one call, as the job's pricing step does it: a fleet of 200 models
 * (each the first id of a catalog model's match rule, under its provider), cycled call by call.
 * <ul>
 *   <li>{@code priceCall}: the job's path — the remembered lookup, the prices in force at the call's
 *       time, the exact cost;</li>
 *   <li>{@code matchUncached}: finding the model in the catalog without the memory, what a model
 *       costs the first time it is seen.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class CallPricingBenchmark {

    private static final long DECEMBER_2026 = 1_796_472_000_000L;

    private final PriceVersions prices = PriceVersions.none(CallPricer.catalogOnly());
    private final PriceCatalog catalog = PriceCatalog.bundled();
    private final List<String[]> fleet = new ArrayList<>();
    private int next;

    @Setup
    public void drawFleet() throws Exception {
        JsonNode providers;
        try (InputStream in = PriceCatalog.class.getResourceAsStream(PriceCatalog.BUNDLED)) {
            providers = new ObjectMapper().readTree(in);
        }
        List<String> chosen = List.of("openai", "anthropic", "google", "aws", "groq", "mistral", "openrouter");
        for (JsonNode provider : providers) {
            String id = provider.get("id").asText();
            if (chosen.contains(id)) {
                int taken = 0;
                for (JsonNode model : provider.get("models")) {
                    Optional<String> name = nameOf(model.get("match"));
                    if (name.isPresent() && taken++ < 40) {
                        fleet.add(new String[] {id, name.get()});
                    }
                }
            }
        }
        if (fleet.size() < 200) {
            throw new IllegalStateException("the fleet has only " + fleet.size() + " models");
        }
        fleet.subList(200, fleet.size()).clear();
    }

    @Benchmark
    public Object priceCall() {
        String[] call = fleet.get(next++ % fleet.size());
        return prices.price(
                call[0], call[1], DECEMBER_2026 + next, new PriceSet.Usage(1_200 + next % 300_000, 800, 0, 350, 40));
    }

    @Benchmark
    public Optional<PriceCatalog.CatalogModel> matchUncached() {
        String[] call = fleet.get(next++ % fleet.size());
        return catalog.find(call[0], call[1]);
    }

    /** An id a match rule matches: its first equals or starts_with text. */
    private static Optional<String> nameOf(JsonNode rule) {
        for (String exact : List.of("equals", "starts_with")) {
            if (rule.has(exact)) {
                return Optional.of(rule.get(exact).asText());
            }
        }
        if (rule.has("or")) {
            for (JsonNode inner : rule.get("or")) {
                Optional<String> name = nameOf(inner);
                if (name.isPresent()) {
                    return name;
                }
            }
        }
        return Optional.empty();
    }
}
