package dev.streamlens.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Contributors.Figure;
import org.junit.jupiter.api.Test;

class ContributorChunksTest {

    /**
     * Late calls reach an open window one at a time; on the heap backend its accumulator is never
     * written out, so only the live table's bound keeps the window's memory from growing with its
     * distinct ids.
     */
    @Test
    void callsAddedOneByOneStayBoundedAndTheirTotalsExact() {
        ContributorChunks window = new ContributorChunks();
        long calls = 0;
        long cost = 0;
        long tokens = 0;
        long errors = 0;
        long heavyCalls = 0;
        long heavyCost = 0;
        for (int i = 0; i < 5_000; i++) {
            // every tenth call is the same user's; the others each a new user's
            String id = i % 10 == 0 ? "heavy" : "user-" + i;
            long callCost = 1_000 + i % 37;
            boolean failed = i % 13 == 0;
            window.add(id, callCost, i % 50, failed);
            calls++;
            cost += callCost;
            tokens += i % 50;
            errors += failed ? 1 : 0;
            if (id.equals("heavy")) {
                heavyCalls++;
                heavyCost += callCost;
            }
            assertThat(window.liveIds()).isLessThanOrEqualTo(ContributorChunks.MAX_LIVE_IDS);
            assertThat(window.chunkCount()).isLessThanOrEqualTo(ContributorChunks.MAX_CHUNKS);
        }
        assertThat(window.chunkCount())
                .as("the live table was sealed into chunks")
                .isPositive();

        Contributors merged = window.merged();
        assertThat(merged.total(Figure.REQUESTS)).isEqualTo(calls);
        assertThat(merged.total(Figure.COST_NANO_USD)).isEqualTo(cost);
        assertThat(merged.total(Figure.TOKENS)).isEqualTo(tokens);
        assertThat(merged.total(Figure.ERRORS)).isEqualTo(errors);
        Contributors.Contributor heavy = merged.heaviest(Figure.REQUESTS, 1).get(0);
        assertThat(heavy.id()).isEqualTo("heavy");
        assertThat(heavy.counted(Figure.REQUESTS)).isEqualTo(heavyCalls);
        assertThat(heavy.exact(Figure.REQUESTS)).isTrue();
        assertThat(heavy.counted(Figure.COST_NANO_USD)).isEqualTo(heavyCost);
    }
}
