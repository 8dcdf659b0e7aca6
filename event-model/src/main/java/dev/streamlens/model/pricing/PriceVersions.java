package dev.streamlens.model.pricing;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The prices of a call's time: the job's own pricer (its price file, then the catalog) with the
 * published price versions in force then in front of it (docs/PRICING.md#changing-prices-while-running).
 * A version is in force from its {@code effective_from} on; of several in force, the one taking
 * effect latest comes first (a later version with the same start first), so a correction of a past
 * period (an earlier start published later) changes that period and leaves later ones alone.
 *
 * <p>A call records the highest version number in force at its time: with the versions numbered as
 * they were published, "as of version N" names exactly the versions that priced it (those up to N
 * in force then), whatever is published later.
 */
public final class PriceVersions implements Serializable {

    private static final long serialVersionUID = 1L;

    /** In force first: the latest start, then the highest number. */
    private static final Comparator<PriceVersion> PRECEDENCE = Comparator.comparing(PriceVersion::effectiveFrom)
            .thenComparingLong(PriceVersion::version)
            .reversed();

    /** What one call cost (empty: unpriced) and the version its prices were as of (0: none in force). */
    public record Priced(OptionalLong picoDollars, long version) {}

    private final CallPricer base;
    private final List<PriceVersion> versions;

    /** Per tail of the list (the versions in force at some time): its pricer, made when first needed. */
    private transient CallPricer[] pricers;

    private transient long[] asOf;

    public PriceVersions(CallPricer base, Collection<PriceVersion> versions) {
        this.base = base;
        Map<Long, PriceVersion> byNumber = new TreeMap<>();
        versions.forEach(v -> byNumber.put(v.version(), v));
        List<PriceVersion> ordered = new ArrayList<>(byNumber.values());
        ordered.sort(PRECEDENCE);
        this.versions = List.copyOf(ordered);
    }

    /** No version published: the base pricer alone. */
    public static PriceVersions none(CallPricer base) {
        return new PriceVersions(base, List.of());
    }

    /** These versions and one more (a version already known by its number is replaced). */
    public PriceVersions with(PriceVersion version) {
        List<PriceVersion> all = new ArrayList<>(versions);
        all.add(version);
        return new PriceVersions(base, all);
    }

    public List<PriceVersion> versions() {
        return versions;
    }

    /** What a call of this time cost, at the versions in force then. */
    public Priced price(String provider, String model, long eventTimeMs, PriceSet.Usage usage) {
        // In precedence order the versions in force at a time are a tail of the list: the first one
        // that took effect by then, and every one after it.
        int first = 0;
        while (first < versions.size() && versions.get(first).effectiveFrom().toEpochMilli() > eventTimeMs) {
            first++;
        }
        if (first == versions.size()) {
            return new Priced(base.picoDollars(provider, model, eventTimeMs, usage), 0);
        }
        CallPricer pricer = pricers()[first];
        if (pricer == null) {
            pricer = layered(versions.subList(first, versions.size()));
            pricers()[first] = pricer;
        }
        return new Priced(pricer.picoDollars(provider, model, eventTimeMs, usage), asOf()[first]);
    }

    /** Per tail of the list: the highest version number in it. */
    private long[] asOf() {
        if (asOf == null) {
            long[] highest = new long[versions.size()];
            long max = 0;
            for (int i = versions.size() - 1; i >= 0; i--) {
                max = Math.max(max, versions.get(i).version());
                highest[i] = max;
            }
            asOf = highest;
        }
        return asOf;
    }

    private CallPricer layered(List<PriceVersion> inForce) {
        CallPricer pricer = base;
        for (int i = inForce.size() - 1; i >= 0; i--) { // the last put in front is the first in force
            PriceVersion version = inForce.get(i);
            pricer = pricer.withEntriesInFront(
                    version.entries().getBytes(StandardCharsets.UTF_8), "price version " + version.version());
        }
        return pricer;
    }

    private CallPricer[] pricers() {
        if (pricers == null) {
            pricers = new CallPricer[versions.size()];
        }
        return pricers;
    }
}
