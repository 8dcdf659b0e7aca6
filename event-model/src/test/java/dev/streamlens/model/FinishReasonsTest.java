package dev.streamlens.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FinishReasonsTest {

    @Test
    void eachProvidersSpellingOfTheTokenLimitCounts() {
        for (String reason : new String[] {"length", "max_tokens", "MAX_TOKENS", "Length"}) {
            assertThat(FinishReasons.stoppedAtTokenLimit(reason)).as(reason).isTrue();
        }
    }

    @Test
    void otherReasonsAndNoReasonDoNot() {
        for (String reason : new String[] {"stop", "end_turn", "STOP", "content_filter", "tool_calls", "error", ""}) {
            assertThat(FinishReasons.stoppedAtTokenLimit(reason)).as(reason).isFalse();
        }
        assertThat(FinishReasons.stoppedAtTokenLimit(null)).isFalse();
    }
}
