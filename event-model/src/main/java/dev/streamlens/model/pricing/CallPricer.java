package dev.streamlens.model.pricing;

import dev.streamlens.model.pricing.PriceCatalog.CatalogModel;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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

    private final byte[] userEntries;
    private final String userSource;

    private transient PriceCatalog catalog;
    private transient PriceCatalog user;
    private transient Map<String, Optional<CatalogModel>> lookups;

    private CallPricer(byte[] userEntries, String userSource) {
        this.userEntries = userEntries;
        this.userSource = userSource;
        if (userEntries != null) {
            UserPrices.read(userEntries, userSource); // refuse a bad file where the job is built
        }
    }

    /** The carried catalog alone. */
    public static CallPricer catalogOnly() {
        return new CallPricer(null, null);
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
        return new CallPricer(json.clone(), source);
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
        Map<String, Optional<CatalogModel>> remembered = lookups();
        String key = (provider == null ? "" : provider) + '\u0000' + model;
        Optional<CatalogModel> found = remembered.get(key);
        if (found == null) {
            found = lookUp(provider, model);
            if (remembered.size() >= REMEMBERED_LOOKUPS) {
                remembered.clear();
            }
            remembered.put(key, found);
        }
        return found;
    }

    private Optional<CatalogModel> lookUp(String provider, String model) {
        if (user == null && userEntries != null) {
            user = UserPrices.read(userEntries, userSource);
        }
        if (user != null) {
            // The user's entries apply by their own provider, else by model whatever the provider:
            // an in-house model or a file in the old table format names no provider the call does.
            Optional<CatalogModel> own = user.find(provider, model).or(() -> user.findInAnyProvider(model));
            if (own.isPresent()) {
                return own;
            }
        }
        if (catalog == null) {
            catalog = PriceCatalog.bundled();
        }
        return catalog.find(provider, model);
    }

    private Map<String, Optional<CatalogModel>> lookups() {
        if (lookups == null) {
            lookups = new ConcurrentHashMap<>();
        }
        return lookups;
    }
}
