package dev.streamlens.model.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The genai-prices catalog (Pydantic's, MIT; a copy in {@code pricing/genai-prices/}): providers,
 * their models' match rules and prices, read as its schema has them, and found for a call as the
 * catalog's own calculator finds them (docs/PRICING.md):
 * <ul>
 *   <li>the provider, when the call names one: the provider with that id, else the first whose
 *       {@code provider_match} matches it; without one, or with one the catalog does not know, the
 *       first whose {@code model_match} matches the model;
 *   <li>the model: the first of the provider's models whose {@code match} matches, then those of its
 *       {@code fallback_model_providers} (one level), then both again with a {@code -YYYYMMDD} date
 *       in the id written {@code -YYYY-MM-DD}.
 * </ul>
 */
public final class PriceCatalog {

    /** The copy carried in this project, and where it came from. */
    public static final String BUNDLED = "/pricing/genai-prices/data.json";

    private static final String BUNDLED_SOURCE = "/pricing/genai-prices/source.json";

    /** Where a catalog came from: its name, publisher, licence, published URL and date. */
    public record Source(String name, String publisher, String licence, String url, String date) {}

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final Pattern COMPACT_DATE =
            Pattern.compile("-(20\\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])(?=-|:|$)");

    /**
     * A model of the catalog, and the provider the call was matched to (for a model found among a
     * provider's {@code fallback_model_providers}, the provider that offers it, not its maker).
     */
    public record CatalogModel(String provider, String id, MatchRule match, DatedPrices prices) {}

    record Provider(
            String id,
            MatchRule modelMatch,
            MatchRule providerMatch,
            List<String> fallbacks,
            List<CatalogModel> models) {}

    private final List<Provider> providers;

    private PriceCatalog(List<Provider> providers) {
        this.providers = providers;
    }

    /** The catalog carried in this project. */
    public static PriceCatalog bundled() {
        try (InputStream in = PriceCatalog.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED + " is missing from the classpath");
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the carried copy came from ({@code source.json} beside it). */
    public static Source bundledSource() {
        try (InputStream in = PriceCatalog.class.getResourceAsStream(BUNDLED_SOURCE)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED_SOURCE + " is missing from the classpath");
            }
            JsonNode source = JSON.readTree(in);
            return new Source(
                    source.path("name").asText(),
                    source.path("publisher").asText(),
                    source.path("licence").asText(),
                    source.path("url").asText(),
                    source.path("date").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a catalog in the genai-prices v2 format; a catalog that breaks it is refused, naming where. */
    public static PriceCatalog read(InputStream in) throws IOException {
        return of(JSON.readTree(in));
    }

    public static PriceCatalog of(JsonNode catalog) {
        if (catalog == null || !catalog.isArray()) {
            throw new IllegalArgumentException("a price catalog is a list of providers");
        }
        List<Provider> providers = new ArrayList<>();
        for (JsonNode provider : catalog) {
            String id = required(provider, "id", "a provider");
            String where = "provider " + id;
            List<CatalogModel> models = new ArrayList<>();
            if (!provider.path("models").isArray()) {
                throw new IllegalArgumentException(where + ": models is a list");
            }
            for (JsonNode model : provider.get("models")) {
                String modelId = required(model, "id", where + ": a model");
                String modelWhere = where + " model " + modelId;
                models.add(new CatalogModel(
                        id,
                        modelId,
                        MatchRule.of(model.get("match"), modelWhere),
                        DatedPrices.of(model.path("prices"), modelWhere)));
            }
            List<String> fallbacks = new ArrayList<>();
            provider.path("fallback_model_providers").forEach(fallback -> fallbacks.add(fallback.asText()));
            providers.add(new Provider(
                    id,
                    provider.has("model_match") ? MatchRule.of(provider.get("model_match"), where) : null,
                    provider.has("provider_match") ? MatchRule.of(provider.get("provider_match"), where) : null,
                    List.copyOf(fallbacks),
                    List.copyOf(models)));
        }
        return new PriceCatalog(List.copyOf(providers));
    }

    /**
     * The catalog's model for a call.
     *
     * @param provider the provider the call names ({@code null} or blank: none)
     */
    public Optional<CatalogModel> find(String provider, String model) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        String id = model.trim().toLowerCase(Locale.ROOT);
        // A provider the catalog does not know (langchain, ollama, azure.ai.inference) narrows
        // nothing: the model id alone decides, where the catalog's calculator would price nothing.
        Optional<Provider> found = (provider == null || provider.isBlank()
                        ? Optional.<Provider>empty()
                        : provider(provider.trim().toLowerCase(Locale.ROOT)))
                .or(() -> providers.stream()
                        .filter(p -> p.modelMatch() != null && p.modelMatch().matches(id))
                        .findFirst());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Optional<CatalogModel> direct = modelWithFallbacks(found.get(), id);
        if (direct.isPresent()) {
            return direct;
        }
        String dashed = COMPACT_DATE.matcher(id).replaceAll("-$1-$2-$3");
        return dashed.equals(id) ? Optional.empty() : modelWithFallbacks(found.get(), dashed);
    }

    /**
     * The first model of any provider, in file order, whose match rule matches the id (then with a
     * {@code -YYYYMMDD} date written {@code -YYYY-MM-DD}): how a user's own entries are found for a
     * call whose provider they do not name.
     */
    public Optional<CatalogModel> findInAnyProvider(String model) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        String id = model.trim().toLowerCase(Locale.ROOT);
        Optional<CatalogModel> direct = firstMatchAnywhere(id);
        if (direct.isPresent()) {
            return direct;
        }
        String dashed = COMPACT_DATE.matcher(id).replaceAll("-$1-$2-$3");
        return dashed.equals(id) ? Optional.empty() : firstMatchAnywhere(dashed);
    }

    private Optional<CatalogModel> firstMatchAnywhere(String id) {
        return providers.stream().flatMap(p -> firstMatch(p, id).stream()).findFirst();
    }

    public int providerCount() {
        return providers.size();
    }

    public int modelCount() {
        return providers.stream().mapToInt(p -> p.models().size()).sum();
    }

    private Optional<Provider> provider(String id) {
        return providers.stream()
                .filter(p -> p.id().equals(id))
                .findFirst()
                .or(() -> providers.stream()
                        .filter(p ->
                                p.providerMatch() != null && p.providerMatch().matches(id))
                        .findFirst());
    }

    private Optional<CatalogModel> modelWithFallbacks(Provider provider, String id) {
        Optional<CatalogModel> own = firstMatch(provider, id);
        if (own.isPresent()) {
            return own;
        }
        for (String fallback : provider.fallbacks()) {
            Optional<CatalogModel> other = providers.stream()
                    .filter(p -> p.id().equals(fallback))
                    .findFirst()
                    .flatMap(p -> firstMatch(p, id));
            if (other.isPresent()) { // the call went through this provider, at the other's price
                CatalogModel model = other.get();
                return Optional.of(new CatalogModel(provider.id(), model.id(), model.match(), model.prices()));
            }
        }
        return Optional.empty();
    }

    private static Optional<CatalogModel> firstMatch(Provider provider, String id) {
        return provider.models().stream().filter(m -> m.match().matches(id)).findFirst();
    }

    private static String required(JsonNode node, String field, String what) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException(what + " needs a " + field);
        }
        return value.asText();
    }
}
