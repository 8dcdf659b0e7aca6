package dev.streamlens.job.time;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time for an input that only configures the job (alert rules, price versions): it never
 * holds time back, so an operator it is broadcast to follows the events' watermark alone.
 */
public final class ControlInputTime {

    private ControlInputTime() {}

    public static <T> WatermarkStrategy<T> neverHoldsBack() {
        return WatermarkStrategy.forGenerator(context -> new WatermarkGenerator<T>() {
            @Override
            public void onEvent(T change, long timestamp, WatermarkOutput output) {
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }
        });
    }
}
