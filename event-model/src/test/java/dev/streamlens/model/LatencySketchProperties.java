package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

/** The sketch's quantiles stay within 1% of the exact nearest-rank value, also after merging and encoding. */
class LatencySketchProperties {

    @Property(tries = 300)
    void quantilesAreWithinOnePercentOfNearestRank(
            @ForAll @Size(min = 1, max = 2000) List<@DoubleRange(min = 0, max = 600_000) Double> latencies) {
        LatencySketch sketch = LatencySketch.create();
        latencies.forEach(sketch::add);
        assertQuantilesMatch(sketch, latencies);
    }

    @Property(tries = 200)
    void mergedDecodedSketchesAnswerLikeOneSketchOfAllValues(
            @ForAll @Size(min = 1, max = 500) List<@DoubleRange(min = 0, max = 60_000) Double> first,
            @ForAll @Size(max = 500) List<@DoubleRange(min = 0, max = 60_000) Double> second) {
        LatencySketch a = LatencySketch.create();
        first.forEach(a::add);
        LatencySketch b = LatencySketch.create();
        second.forEach(b::add);

        LatencySketch merged = LatencySketch.decode(a.encode());
        merged.merge(LatencySketch.decode(b.encode()));

        List<Double> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(merged.count()).isEqualTo(all.size());
        assertQuantilesMatch(merged, all);
    }

    @Property(tries = 200)
    void compactFormRoundTripsExactly(
            @ForAll @Size(max = 1000) List<@DoubleRange(min = 0, max = 3_600_000) Double> latencies) throws Exception {
        LatencySketch sketch = LatencySketch.create();
        latencies.forEach(sketch::add);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        sketch.writeCompact(new java.io.DataOutputStream(bytes));
        LatencySketch back = LatencySketch.readCompact(
                new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.count()).isEqualTo(latencies.size());
        LatencySketch portable = LatencySketch.decode(back.encode());
        for (int percent = 1; percent <= 100; percent++) {
            assertThat(back.quantile(percent / 100.0)).isEqualTo(sketch.quantile(percent / 100.0));
            assertThat(portable.quantile(percent / 100.0)).isEqualTo(sketch.quantile(percent / 100.0));
        }
    }

    private static void assertQuantilesMatch(LatencySketch sketch, List<Double> values) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        for (double q : new double[] {0.5, 0.95, 0.99, 1.0}) {
            // nearest rank: the ceil(q * n)-th smallest value, computed in exact decimal arithmetic
            int rank = new java.math.BigDecimal(Double.toString(q))
                    .multiply(java.math.BigDecimal.valueOf(sorted.length))
                    .setScale(0, java.math.RoundingMode.CEILING)
                    .intValueExact();
            double exact = sorted[Math.max(1, rank) - 1];
            double tolerance = exact * LatencySketch.RELATIVE_ACCURACY + 1e-9;
            assertThat(sketch.quantile(q))
                    .as("q=%s of %s", q, Arrays.toString(sorted))
                    .isCloseTo(exact, within(tolerance));
        }
    }
}
