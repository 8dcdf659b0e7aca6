package dev.streamlens.model.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlens.model.attribution.Contributors.Contributor;
import dev.streamlens.model.attribution.Contributors.Figure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The summary's promises, checked against the exact figures of every id computed here by a plain
 * map: each id's true figure lies between what is counted and the most it can be; any id heavier
 * than the error bound is held; totals add up; a summary split into parts and merged keeps all
 * of this; the encoded form reads back the same.
 */
class ContributorsTest {

    record Call(String id, long costNano, long tokens, boolean failed) {}

    /** Ids skewed as real traffic is: a few heavy, a long tail (and some calls without an id). */
    @Provide
    Arbitrary<List<Call>> calls() {
        Arbitrary<String> ids = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(40, Arbitraries.integers().between(0, 4).map(i -> "heavy-" + i)),
                net.jqwik.api.Tuple.of(
                        50, Arbitraries.integers().between(0, 2_000).map(i -> "tail-" + i)),
                net.jqwik.api.Tuple.of(10, Arbitraries.just((String) null)));
        Arbitrary<Call> call = Combinators.combine(
                        ids,
                        Arbitraries.longs().between(0, 5_000_000),
                        Arbitraries.longs().between(0, 8_000),
                        Arbitraries.integers().between(0, 9).map(i -> i == 0))
                .as(Call::new);
        return call.list().ofMinSize(0).ofMaxSize(3_000);
    }

    @Property(tries = 60)
    void everyIdsTrueFiguresLieWithinTheBoundsAfterMerges(
            @ForAll("calls") List<Call> calls,
            @ForAll @IntRange(min = 1, max = 8) int parts,
            @ForAll @IntRange(min = 1, max = 40) int capacity) {
        List<Contributors> summaries = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            summaries.add(Contributors.withCapacity(capacity));
        }
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            summaries.get(i % parts).add(c.id(), c.costNano(), c.tokens(), c.failed());
        }
        Contributors merged = Contributors.withCapacity(capacity);
        for (Contributors part : summaries) {
            merged.merge(Contributors.decode(part.encode()));
        }

        Map<String, long[]> exact = exactFigures(calls);
        for (Figure figure : Figure.values()) {
            long total =
                    exact.values().stream().mapToLong(f -> f[figure.ordinal()]).sum();
            assertThat(merged.total(figure)).as("total %s", figure).isEqualTo(total);
            long bound = merged.errorBound(figure);
            for (Map.Entry<String, long[]> id : exact.entrySet()) {
                long truth = id.getValue()[figure.ordinal()];
                Contributor got = merged.of(id.getKey());
                assertThat(got.counted(figure))
                        .as("%s of %s counted", figure, id.getKey())
                        .isLessThanOrEqualTo(truth);
                assertThat(got.atMost(figure))
                        .as("%s of %s at most", figure, id.getKey())
                        .isGreaterThanOrEqualTo(truth);
                if (truth > bound) {
                    assertThat(merged.heaviest(figure, Integer.MAX_VALUE))
                            .extracting(Contributor::id)
                            .as("%s of %s is above the bound %d", figure, id.getKey(), bound)
                            .contains(id.getKey());
                }
            }
        }
    }

    @Property(tries = 40)
    void whileNoMoreThanTwiceTheCapacityOfIdsAreSeenEveryFigureIsExact(
            @ForAll("calls") List<Call> calls, @ForAll @IntRange(min = 1, max = 3) int parts) {
        int capacity = Math.max(1, (int) calls.stream().map(Call::id).distinct().count());
        List<Contributors> summaries = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            summaries.add(Contributors.withCapacity(capacity));
        }
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            summaries.get(i % parts).add(c.id(), c.costNano(), c.tokens(), c.failed());
        }
        Contributors merged = Contributors.withCapacity(capacity);
        summaries.forEach(merged::merge);
        Map<String, long[]> exact = exactFigures(calls);
        for (Figure figure : Figure.values()) {
            assertThat(merged.errorBound(figure)).isZero();
            for (Map.Entry<String, long[]> id : exact.entrySet()) {
                assertThat(merged.of(id.getKey()).counted(figure)).isEqualTo(id.getValue()[figure.ordinal()]);
            }
        }
    }

    @Test
    void onSkewedTrafficTheHeavyIdsHeldFromTheirFirstCallStayExactThroughCuts() {
        Contributors summary = Contributors.withCapacity(50);
        Map<String, long[]> exact = new HashMap<>();
        java.util.Random random = new java.util.Random(7);
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            // id k with probability ~ 1/k: a Zipf law over 100,000 ids
            int k = (int) Math.floor(Math.pow(100_001, random.nextDouble()));
            calls.add(new Call("user-" + k, 1_000, 10, false));
        }
        calls.forEach(c -> summary.add(c.id(), c.costNano(), c.tokens(), c.failed()));
        exact.putAll(exactFigures(calls));
        assertThat(summary.errorBound(Figure.REQUESTS)).as("ids were let go").isPositive();
        // The ten heaviest ids are all held, within their bounds; the heaviest ones, held from their
        // first calls through every cut, exactly (this seed: the three heaviest; ids still young at
        // the first cuts were let go once and carry the floor of then as their error).
        List<String> exactTop = exact.entrySet().stream()
                .sorted(java.util.Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[1])
                        .thenComparing(Map.Entry::getKey))
                .limit(10)
                .map(Map.Entry::getKey)
                .toList();
        for (String id : exactTop) {
            long truth = exact.get(id)[Figure.REQUESTS.ordinal()];
            assertThat(summary.holds(id)).as(id).isTrue();
            assertThat(summary.of(id).counted(Figure.REQUESTS)).as(id).isLessThanOrEqualTo(truth);
            assertThat(summary.of(id).atMost(Figure.REQUESTS)).as(id).isGreaterThanOrEqualTo(truth);
        }
        assertThat(summary.heaviest(Figure.REQUESTS, 3))
                .allSatisfy(c -> assertThat(c.exact(Figure.REQUESTS)).as(c.id()).isTrue())
                .extracting(Contributor::id)
                .isEqualTo(exactTop.subList(0, 3));
    }

    @Test
    void anIdHeldInEveryPartStaysExactWhenThePartsAreMerged() {
        Contributors a = Contributors.withCapacity(2);
        Contributors b = Contributors.withCapacity(2);
        for (int i = 0; i < 100; i++) {
            a.add("whale", 10, 1, false);
            b.add("whale", 10, 1, false);
            a.add("minnow-a" + i, 1, 1, false);
            b.add("minnow-b" + i, 1, 1, false);
        }
        Contributors merged = Contributors.withCapacity(2);
        merged.merge(a);
        merged.merge(b);
        assertThat(merged.errorBound(Figure.COST_NANO_USD)).isPositive();
        Contributor whale = merged.heaviest(Figure.COST_NANO_USD, 1).get(0);
        assertThat(whale.id()).isEqualTo("whale");
        assertThat(whale.exact(Figure.COST_NANO_USD)).isTrue();
        assertThat(whale.counted(Figure.COST_NANO_USD)).isEqualTo(2_000);
    }

    @Test
    void forgettingAnIdKeepsItsCallsInTheTotalsUnderNoIdHeld() {
        Contributors summary = Contributors.forRow();
        summary.add("alice", 3_000, 100, true);
        summary.add("bob", 1_000, 10, false);
        summary.add(null, 500, 5, false);
        summary.forget("alice");
        assertThat(summary.holds("alice")).isFalse();
        assertThat(Contributors.decode(summary.encode()).holds("alice")).isFalse();
        assertThat(summary.total(Figure.COST_NANO_USD)).isEqualTo(4_500);
        assertThat(summary.heaviest(Figure.COST_NANO_USD, 10))
                .extracting(Contributor::id)
                .containsExactly("bob", Contributors.NO_ID);
    }

    @Test
    void theEncodedFormRoundTripsAndAnythingElseIsRefusedAsAnArgument() {
        Contributors summary = Contributors.withCapacity(2);
        for (int i = 0; i < 40; i++) {
            summary.add("user-" + (i % 7) + "-ü", 1_000L * (i % 5), i, i % 3 == 0);
        }
        byte[] encoded = summary.encode();
        Contributors decoded = Contributors.decode(encoded);
        assertThat(decoded.ids()).isEqualTo(summary.ids());
        for (Figure figure : Figure.values()) {
            assertThat(decoded.total(figure)).isEqualTo(summary.total(figure));
            assertThat(decoded.errorBound(figure)).isEqualTo(summary.errorBound(figure));
            for (String id : summary.ids()) {
                assertThat(decoded.of(id).counted(figure))
                        .isEqualTo(summary.of(id).counted(figure));
                assertThat(decoded.of(id).atMost(figure))
                        .isEqualTo(summary.of(id).atMost(figure));
            }
        }
        for (int cut = 0; cut < encoded.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(encoded, cut);
            assertThatThrownBy(() -> Contributors.decode(truncated))
                    .as("cut at byte %d", cut)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        byte[] hugeCount = {1, 2, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
        assertThatThrownBy(() -> Contributors.decode(hugeCount)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, long[]> exactFigures(List<Call> calls) {
        Map<String, long[]> exact = new HashMap<>();
        for (Call c : calls) {
            long[] f = exact.computeIfAbsent(c.id() == null ? Contributors.NO_ID : c.id(), id -> new long[4]);
            f[Figure.COST_NANO_USD.ordinal()] += c.costNano();
            f[Figure.REQUESTS.ordinal()]++;
            f[Figure.TOKENS.ordinal()] += c.tokens();
            f[Figure.ERRORS.ordinal()] += c.failed() ? 1 : 0;
        }
        return exact;
    }

    /**
     * A summary built at once from exact figures keeps what adding the calls one by one keeps when
     * few ids have a figure, and otherwise holds the heaviest exactly with every other id under the
     * floor — checked against the exact figures.
     */
    @Test
    void aSummaryBuiltFromExactFiguresHoldsTheHeaviestExactlyAndTheRestUnderItsFloor() {
        java.util.Random random = new java.util.Random(5);
        for (int ids : new int[] {7, 3_000}) {
            Map<String, long[]> exact = new HashMap<>();
            ExactFigures counted = new ExactFigures();
            Contributors oneByOne = Contributors.withCapacity(10);
            for (int i = 0; i < 20_000; i++) {
                String id = "id-" + (int) Math.floor(Math.pow(ids, random.nextDouble()));
                long cost = random.nextInt(1_000);
                boolean failed = random.nextInt(7) == 0;
                oneByOne.add(id, cost, 3, failed);
                counted.add(id, 1, cost, 3, failed ? 1 : 0);
                long[] f = exact.computeIfAbsent(id, k -> new long[4]);
                f[0] += cost;
                f[1]++;
                f[2] += 3;
                f[3] += failed ? 1 : 0;
            }
            // counted exactly: with room for every id, each one's figures are the plain map's
            Contributors everyId = Contributors.ofExact(counted, 5_000);
            assertThat(everyId.ids()).hasSize(exact.size());
            assertThat(counted.size()).isEqualTo(exact.size());
            for (Map.Entry<String, long[]> id : exact.entrySet()) {
                assertThat(everyId.of(id.getKey()).counted()).isEqualTo(id.getValue());
            }
            Contributors built = Contributors.ofExact(counted, 10);
            for (Figure figure : Figure.values()) {
                assertThat(built.total(figure)).isEqualTo(oneByOne.total(figure));
                long floor = built.errorBound(figure);
                for (Map.Entry<String, long[]> id : exact.entrySet()) {
                    long truth = id.getValue()[figure.ordinal()];
                    Contributor c = built.of(id.getKey());
                    if (c.counted(figure) > 0) {
                        assertThat(c.exact(figure)).isTrue();
                        assertThat(c.counted(figure)).isEqualTo(truth);
                    } else {
                        assertThat(truth).as("%s of %s", figure, id.getKey()).isLessThanOrEqualTo(floor);
                    }
                }
                if (ids == 7) {
                    assertThat(floor).isZero();
                }
            }
            // what a batch sends: its exact counts encoded straight away are the summary's bytes
            Contributors sent = Contributors.decode(Contributors.encodeExact(counted, 10));
            assertThat(held(sent)).isEqualTo(held(built));
            for (Figure figure : Figure.values()) {
                assertThat(sent.total(figure)).isEqualTo(built.total(figure));
                assertThat(sent.errorBound(figure)).isEqualTo(built.errorBound(figure));
            }
        }
    }

    /** Calls without an id count under NO_ID (hash 0, slot 0); an empty table encodes an empty summary. */
    @Test
    void exactFiguresCountCallsWithoutAnIdAndEncodeEmpty() {
        Contributors empty = Contributors.decode(Contributors.encodeExact(new ExactFigures(), 10));
        assertThat(empty.ids()).isEmpty();
        for (Figure figure : Figure.values()) {
            assertThat(empty.total(figure)).isZero();
        }
        ExactFigures counted = new ExactFigures();
        for (int i = 0; i < 100; i++) { // past the first tables' sizes, with the no-id calls among them
            counted.add(i % 3 == 0 ? null : "id-" + i, 1, 7, 2, i % 2);
        }
        Contributors sent = Contributors.decode(Contributors.encodeExact(counted, 500));
        assertThat(sent.ids()).hasSize(1 + 66);
        assertThat(sent.of(Contributors.NO_ID).counted()).containsExactly(34 * 7, 34, 34 * 2, 17);
        assertThat(sent.total(Figure.REQUESTS)).isEqualTo(100);
    }

    /** Per id held, its counted figures then their upper bounds. */
    private static Map<String, java.util.List<Long>> held(Contributors summary) {
        Map<String, java.util.List<Long>> held = new HashMap<>();
        for (String id : summary.ids()) {
            Contributor c = summary.of(id);
            java.util.List<Long> figures = new java.util.ArrayList<>();
            for (long counted : c.counted()) {
                figures.add(counted);
            }
            for (long atMost : c.atMost()) {
                figures.add(atMost);
            }
            held.put(id, figures);
        }
        return held;
    }
}
