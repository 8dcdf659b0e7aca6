package dev.streamlens.query.attribution;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Contributors.Figure;
import dev.streamlens.query.metrics.PlainDecimalSerializer;
import java.math.BigDecimal;

/** What calls add up to: their cost (dollars, to the nano-dollar), count, tokens and failures. */
public record ContributorFigures(
        @JsonProperty("cost_usd") @JsonSerialize(using = PlainDecimalSerializer.class)
        BigDecimal costUsd,

        @JsonProperty("requests") long requests,
        @JsonProperty("tokens") long tokens,
        @JsonProperty("errors") long errors) {

    /** Figures given per {@link Figure}, in its order (cost in nano-dollars). */
    static ContributorFigures of(long[] byFigure) {
        return new ContributorFigures(
                dollars(byFigure[Figure.COST_NANO_USD.ordinal()]),
                byFigure[Figure.REQUESTS.ordinal()],
                byFigure[Figure.TOKENS.ordinal()],
                byFigure[Figure.ERRORS.ordinal()]);
    }

    /** Every id's calls together. */
    static ContributorFigures totals(Contributors summary) {
        long[] totals = new long[Figure.values().length];
        for (Figure figure : Figure.values()) {
            totals[figure.ordinal()] = summary.total(figure);
        }
        return of(totals);
    }

    /** How far any id's figures may exceed what is counted for it. */
    static ContributorFigures errorBounds(Contributors summary) {
        long[] bounds = new long[Figure.values().length];
        for (Figure figure : Figure.values()) {
            bounds[figure.ordinal()] = summary.errorBound(figure);
        }
        return of(bounds);
    }

    private static BigDecimal dollars(long nanoDollars) {
        BigDecimal value = BigDecimal.valueOf(nanoDollars, 9).stripTrailingZeros();
        return value.scale() < 0 ? value.setScale(0) : value;
    }
}
