package dev.streamlens.model.pricing;

import dev.streamlens.model.pricing.PriceCatalog.CatalogModel;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prices one call, the one implementation every path that prices uses (the job, the recompute):
 * the user's own entries first ({@code STREAMLENS_PRICING_FILE}), then the carried genai-prices
 * catalog; the prices in force at the call's time; tiers decided by the call's own prompt
 * (docs/PRICING.md).
 *
 * <p>Serializable so that it is built where the job is built (the user's file is read there, once)
 * and shipped with the job's functions: it carries the file's bytes and reads both catalogs again
 * on first use.
 */
public final class CallPricer implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Distinct (provider, model) pairs whose lookup is remembered; a fleet has far fewer. */
    static final int REMEMBERED_LOOKUPS = 10_000;

    /** The user's entries, layer by layer, the one in front first ({@link UserPrices} formats). */
    private final List<byte[]> userLayers;

    private final List<String> userSources;
    /** The catalog in force: null for the one carried in this project. */
    private final byte[] catalogJson;

    private transient PriceCatalog catalog;
    private transient List<PriceCatalog> users;
    private transient Map<String, Map<String, Optional<CatalogModel>>> lookups;
    private transient int remembered;

    private CallPricer(byte[] catalogJson, List<byte[]> userLayers, List<String> userSources) {
        this.catalogJson = catalogJson;
        this.userLayers = List.copyOf(userLayers);
        this.userSources = List.copyOf(userSources);
    }

    /** The carried catalog alone. */
    public static CallPricer catalogOnly() {
        return new CallPricer(null, List.of(), List.of());
    }

    /** Another catalog in the genai-prices format in place of the carried one, without user entries. */
    public static CallPricer withCatalog(byte[] catalogJson) {
        readCatalog(catalogJson); // refused where the job is built, not in its tasks
        return new CallPricer(catalogJson.clone(), List.of(), List.of());
    }

    /** The catalog with the user's entries from a file in front of it; none when {@code path} is null or blank. */
    public static CallPricer load(String path) {
        if (path == null || path.isBlank()) {
            return catalogOnly();
        }
        try {
            return withUserEntries(Files.readAllBytes(Path.of(path)), path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price file " + path, e);
        }
    }

    /** The catalog with the user's entries ({@link UserPrices} formats) in front of it. */
    public static CallPricer withUserEntries(byte[] json, String source) {
        UserPrices.read(json, source); // refused where the job is built, not in its tasks
        return new CallPricer(null, List.of(json.clone()), List.of(source));
    }

    /** This pricer with more of the user's entries in front of its own (a price version's). */
    public CallPricer withEntriesInFront(byte[] json, String source) {
        UserPrices.read(json, source); // only the new layer: this pricer's own were read when they were added
        List<byte[]> layers = new ArrayList<>(List.of(json.clone()));
        layers.addAll(userLayers);
        List<String> sources = new ArrayList<>(List.of(source));
        sources.addAll(userSources);
        return new CallPricer(catalogJson, layers, sources);
    }

    /**
     * What one call cost, in pico-dollars, or empty when neither the user's entries nor the catalog
     * price its model.
     *
     * @param provider    who served the call, as the event names it; null when it does not
     * @param eventTimeMs when the call counts: the prices in force then apply
     */
    public OptionalLong picoDollars(String provider, String model, long eventTimeMs, PriceSet.Usage usage) {
        Optional<CatalogModel> found = find(provider, model);
        if (found.isEmpty()) {
            return OptionalLong.empty();
        }
        PriceSet prices = found.get().prices().at(Instant.ofEpochMilli(eventTimeMs));
        return OptionalLong.of(prices.picoDollars(usage));
    }

    /** The entry a call is priced by: the user's, else the catalog's. */
    public Optional<CatalogModel> find(String provider, String model) {
        if (model == null) {
            return Optional.empty();
        }
        // By provider, then model: no key to build per call (this runs for every call the job prices).
        Map<String, Optional<CatalogModel>> ofProvider =
                lookups().computeIfAbsent(provider == null ? "" : provider, p -> new ConcurrentHashMap<>());
        Optional<CatalogModel> found = ofProvider.get(model);
        if (found == null) {
            found = lookUp(provider, model);
            if (remembered++ >= REMEMBERED_LOOKUPS) {
                lookups.clear();
                remembered = 0;
                ofProvider =
                        lookups().computeIfAbsent(provider == null ? "" : provider, p -> new ConcurrentHashMap<>());
            }
            ofProvider.put(model, found);
        }
        return found;
    }

    private Optional<CatalogModel> lookUp(String provider, String model) {
        if (users == null) {
            List<PriceCatalog> read = new ArrayList<>();
            for (int i = 0; i < userLayers.size(); i++) {
                read.add(UserPrices.read(userLayers.get(i), userSources.get(i)));
            }
            users = read;
        }
        for (PriceCatalog user : users) {
            // The user's entries apply by their own provider, else by model whatever the provider:
            // an in-house model or a file in the old table format names no provider the call does.
            Optional<CatalogModel> own = user.find(provider, model).or(() -> user.findInAnyProvider(model));
            if (own.isPresent()) {
                return own;
            }
        }
        if (catalog == null) {
            catalog = catalogJson == null ? PriceCatalog.bundled() : readCatalog(catalogJson);
        }
        return catalog.find(provider, model);
    }

    private static PriceCatalog readCatalog(byte[] json) {
        try {
            return PriceCatalog.read(new java.io.ByteArrayInputStream(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("the price catalog is not JSON: " + e.getMessage(), e);
        }
    }

    private Map<String, Map<String, Optional<CatalogModel>>> lookups() {
        if (lookups == null) {
            lookups = new ConcurrentHashMap<>();
        }
        return lookups;
    }
}
