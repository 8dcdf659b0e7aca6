package dev.streamlens.job.time;

import dev.streamlens.job.events.TelemetryEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/** Event time of telemetry: the event's own timestamp, watermarks from {@link PartitionWatermarks}. */
public final class EventTimeStrategy {

    private EventTimeStrategy() {}

    public static WatermarkStrategy<TelemetryEvent> of(Duration outOfOrderness) {
        return WatermarkStrategy.<TelemetryEvent>forGenerator(
                        ctx -> new PartitionWatermarks(outOfOrderness, System::currentTimeMillis))
                .withTimestampAssigner((event, recordTimestamp) -> event.timestamp);
    }
}
