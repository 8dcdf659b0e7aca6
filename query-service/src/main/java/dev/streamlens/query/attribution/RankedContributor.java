package dev.streamlens.query.attribution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Contributors.Figure;
import dev.streamlens.query.metrics.PlainDecimalSerializer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One end user or session of a ranking: its figures as counted (never more than true), whether all
 * of them are exact, and otherwise the most each can be. {@code id} null stands for the calls that
 * named no user (or no session). For sessions, the span of the windows holding it.
 */
public record RankedContributor(
        @JsonProperty("id") String id,

        @JsonProperty("cost_usd") @JsonSerialize(using = PlainDecimalSerializer.class)
        BigDecimal costUsd,

        @JsonProperty("requests") long requests,
        @JsonProperty("tokens") long tokens,
        @JsonProperty("errors") long errors,
        @JsonProperty("exact") boolean exact,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("at_most")
        ContributorFigures atMost,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("first_window_start")
        Instant firstWindowStart,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("last_window_end")
        Instant lastWindowEnd) {

    /** The figures as an answer's entry lists them: cost_usd, requests, tokens, errors, exact, at_most. */
    Map<String, Object> figures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("cost_usd", costUsd);
        figures.put("requests", requests);
        figures.put("tokens", tokens);
        figures.put("errors", errors);
        figures.put("exact", exact);
        if (!exact) {
            figures.put("at_most", atMost);
        }
        return figures;
    }

    static RankedContributor of(Contributors.Contributor contributor, Instant[] seen) {
        ContributorFigures counted = ContributorFigures.of(contributor.counted());
        boolean exact = true;
        for (Figure figure : Figure.values()) {
            exact &= contributor.exact(figure);
        }
        return new RankedContributor(
                contributor.id().equals(Contributors.NO_ID) ? null : contributor.id(),
                counted.costUsd(),
                counted.requests(),
                counted.tokens(),
                counted.errors(),
                exact,
                exact ? null : ContributorFigures.of(contributor.atMost()),
                seen == null ? null : seen[0],
                seen == null ? null : seen[1]);
    }
}
