package dev.streamlens.model.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.attribution.Contributors.Figure;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Custom dimensions: the declared keys as written in the setting, a call's values read from its
 * metadata, and the cap on a row's values checked against a plain map of the calls.
 */
class TagsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void keysAreDeclaredForEveryTenantOrPerTenant() {
        assertThat(TagKeys.parse("").isEmpty()).isTrue();
        assertThat(TagKeys.parse("feature, environment").of("anyone")).containsExactly("feature", "environment");
        TagKeys perTenant = TagKeys.parse("acme=feature,prompt_version;*=environment");
        assertThat(perTenant.of("acme")).containsExactly("feature", "prompt_version");
        assertThat(perTenant.of("globex")).containsExactly("environment");
        assertThat(TagKeys.parse("acme=feature").of("globex")).isEmpty();
    }

    @Test
    void aWrongSettingIsRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> TagKeys.parse("a,b,c,d,e,f")).hasMessageContaining("6 keys, at most 5");
        assertThatThrownBy(() -> TagKeys.parse("feat ure")).hasMessageContaining("'feat ure' is not a key");
        assertThatThrownBy(() -> TagKeys.parse("=feature")).hasMessageContaining("names no tenant");
        assertThatThrownBy(() -> TagKeys.parse("acme=a;acme=b")).hasMessageContaining("acme is declared twice");
        assertThatThrownBy(() -> TagKeys.parse("a,a")).hasMessageContaining("declares a key twice");
    }

    @Test
    void aCallsValuesComeFromItsMetadataOnePerDeclaredKey() throws Exception {
        TagKeys keys = TagKeys.parse("feature,environment,prompt_version,flag");
        var metadata = JSON.readTree(
                "{\"feature\":\"search\",\"prompt_version\":7,\"flag\":true,\"environment\":{\"nested\":1}}");
        assertThat(keys.tagsOf("acme", metadata))
                .containsExactly("feature=search", "environment=", "prompt_version=7", "flag=true");
        assertThat(keys.tagsOf("acme", null)).containsExactly("feature=", "environment=", "prompt_version=", "flag=");
        assertThat(TagKeys.NONE.tagsOf("acme", metadata)).isNull();
        String long129 = "x".repeat(TagKeys.MAX_VALUE_LENGTH + 1);
        assertThat(keys.tagsOf("acme", JSON.readTree("{\"feature\":\"" + long129 + "\"}"))[0])
                .isEqualTo("feature=other");
    }

    @Test
    void idsSplitAtTheFirstEquals() {
        assertThat(Tags.key("feature=a=b")).isEqualTo("feature");
        assertThat(Tags.value("feature=a=b")).isEqualTo("a=b");
        assertThat(Tags.isOf("feature=a", "feature")).isTrue();
        assertThat(Tags.isOf("features=a", "feature")).isFalse();
    }

    /**
     * Random calls over two keys with more values than the cap: per key, the cap values with the
     * most calls keep their exact figures, every other value is summed under other, "no value" stays
     * apart, and the totals do not change — computed here from the calls themselves.
     */
    @Test
    void theCapKeepsTheValuesWithTheMostCallsAndCountsTheRestUnderOther() {
        Random random = new Random(33);
        int cap = 5;
        Contributors summary = Contributors.forRow();
        Map<String, long[]> exact = new HashMap<>(); // id -> calls, cost, tokens, errors
        for (int i = 0; i < 5_000; i++) {
            for (String key : List.of("feature", "team")) {
                int pick = (int) Math.abs(random.nextGaussian() * 6);
                String value = pick == 0 ? Tags.NO_VALUE : (pick == 3 ? Tags.OTHER : "v" + pick);
                String id = Tags.id(key, value);
                long cost = 1 + random.nextInt(1_000);
                long tokens = random.nextInt(500);
                boolean failed = random.nextInt(10) == 0;
                summary.add(id, cost, tokens, failed);
                long[] sums = exact.computeIfAbsent(id, k -> new long[4]);
                sums[0]++;
                sums[1] += cost;
                sums[2] += tokens;
                sums[3] += failed ? 1 : 0;
            }
        }
        long totalCost = summary.total(Figure.COST_NANO_USD);

        Tags.capValues(summary, cap);

        Map<String, long[]> expected = expectedAfterCap(exact, cap);
        Map<String, long[]> actual = new TreeMap<>();
        for (String id : summary.ids()) {
            var figures = summary.of(id);
            assertThat(figures.exact(Figure.COST_NANO_USD)).as(id).isTrue();
            actual.put(id, new long[] {
                figures.counted(Figure.REQUESTS),
                figures.counted(Figure.COST_NANO_USD),
                figures.counted(Figure.TOKENS),
                figures.counted(Figure.ERRORS)
            });
        }
        assertThat(actual).usingRecursiveComparison().isEqualTo(new TreeMap<>(expected));
        assertThat(summary.total(Figure.COST_NANO_USD)).isEqualTo(totalCost);
        assertThat(actual.keySet().stream().filter(id -> Tags.isOf(id, "feature")))
                .hasSizeBetween(cap + 1, cap + 2) // the cap's values, no value, and other unless a value of the cap
                .contains("feature=other", "feature=");
    }

    /** The rule written out over exact sums: rank by calls (ties: smaller value), keep the cap, sum the rest. */
    private static Map<String, long[]> expectedAfterCap(Map<String, long[]> exact, int cap) {
        Map<String, long[]> after = new HashMap<>();
        for (String key : List.of("feature", "team")) {
            List<String> ranked = exact.keySet().stream()
                    .filter(id -> Tags.isOf(id, key) && !Tags.value(id).isEmpty())
                    .sorted((a, b) -> exact.get(a)[0] != exact.get(b)[0]
                            ? Long.compare(exact.get(b)[0], exact.get(a)[0])
                            : a.compareTo(b))
                    .toList();
            for (int i = 0; i < ranked.size(); i++) {
                String into = i < cap ? ranked.get(i) : Tags.id(key, Tags.OTHER);
                long[] sums = after.computeIfAbsent(into, k -> new long[4]);
                for (int f = 0; f < 4; f++) {
                    sums[f] += exact.get(ranked.get(i))[f];
                }
            }
            after.put(Tags.id(key, Tags.NO_VALUE), exact.get(Tags.id(key, Tags.NO_VALUE)));
        }
        return after;
    }

    /** Folding where the summary already let ids go keeps every figure within its bounds. */
    @Test
    void foldingAnInexactSummaryKeepsItsBounds() {
        Contributors summary = Contributors.withCapacity(4);
        Map<String, Long> exact = new HashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            String id = Tags.id("k", "v" + (int) Math.abs(random.nextGaussian() * 8));
            summary.add(id, 1, 0, false);
            exact.merge(id, 1L, Long::sum);
        }
        java.util.Set<String> heldBefore = new java.util.HashSet<>(summary.ids());
        Tags.capValues(summary, 2);
        // An id the summary had already let go stays untracked (under its floor); a folded one moves.
        Map<String, Long> trueAfter = new HashMap<>();
        for (String id : heldBefore) {
            String into = summary.holds(id) ? id : Tags.id("k", Tags.OTHER);
            trueAfter.merge(into, exact.get(id), Long::sum);
        }
        for (String id : summary.ids()) {
            var figures = summary.of(id);
            long truth = trueAfter.getOrDefault(id, 0L);
            assertThat(figures.counted(Figure.REQUESTS)).as(id).isLessThanOrEqualTo(truth);
            assertThat(figures.atMost(Figure.REQUESTS)).as(id).isGreaterThanOrEqualTo(truth);
        }
        assertThat(summary.total(Figure.REQUESTS)).isEqualTo(2_000);
    }
}
