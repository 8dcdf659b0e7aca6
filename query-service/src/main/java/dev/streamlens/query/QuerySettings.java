package dev.streamlens.query;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The query service's own settings ({@code streamlens.query.*}). */
@ConfigMapping(prefix = "streamlens.query")
public interface QuerySettings {

    /** Rows returned when the call names no limit (60: an hour of minutes). */
    @WithDefault("60")
    int defaultLimit();

    @WithDefault("1000")
    int maxLimit();

    /** A from/to range may span at most this many buckets of the requested granularity. */
    @WithDefault("50000")
    long maxBuckets();
}
