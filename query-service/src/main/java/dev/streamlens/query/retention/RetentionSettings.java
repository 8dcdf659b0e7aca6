package dev.streamlens.query.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How long rows are kept and how far ahead partitions are made ({@code streamlens.retention.*};
 * docs/RETENTION.md). A retention of 0 keeps rows forever.
 */
@ConfigMapping(prefix = "streamlens.retention")
public interface RetentionSettings {

    /** Minute rows (llm_metrics): a month of minutes for the dashboards' 30 days, plus margin. */
    @WithDefault("35d")
    Duration minuteRows();

    /** Hourly rows (llm_metrics_hourly): a year, for this month against the same month last year. */
    @WithDefault("400d")
    Duration hourlyRows();

    /** Alert history (alerts): as long as the hourly rows it points at. */
    @WithDefault("400d")
    Duration alerts();

    /** Partitions are created this far ahead (far beyond the 5 minutes an event may lie in the future). */
    @WithDefault("7d")
    Duration partitionsAhead();

    /** How often partitions are made and expired (also once at start). */
    @WithDefault("1h")
    Duration interval();
}
