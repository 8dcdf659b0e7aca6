package dev.streamlens.query.metrics;

import java.time.Duration;

/**
 * The bucket sizes a query may ask for; 1m is the job's own window. {@code all} is one bucket over
 * the whole range (a table's totals and percentiles over the range, merged in one query); its
 * range is aligned to whole minutes.
 */
public enum Granularity {
    MINUTE("1m", Duration.ofMinutes(1)),
    FIVE_MINUTES("5m", Duration.ofMinutes(5)),
    FIFTEEN_MINUTES("15m", Duration.ofMinutes(15)),
    HOUR("1h", Duration.ofHours(1)),
    DAY("1d", Duration.ofDays(1)),
    ALL("all", Duration.ofMinutes(1));

    private final String text;
    private final Duration size;

    Granularity(String text, Duration size) {
        this.text = text;
        this.size = size;
    }

    public String text() {
        return text;
    }

    /** The bucket size; for {@link #ALL}, the unit its range is aligned to. */
    public Duration size() {
        return size;
    }

    public boolean isWholeRange() {
        return this == ALL;
    }

    /** The granularity written as in the API ({@code 5m}), or null. */
    public static Granularity parse(String text) {
        for (Granularity g : values()) {
            if (g.text.equals(text)) {
                return g;
            }
        }
        return null;
    }
}
