package dev.streamlens.job.io;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * How the last window closes when traffic stops, without the machine's clock ever overtaking data
 * that is still waiting to be read: the job appends a clock tick to every partition of its input
 * topics at a fixed interval. Records after a tick were written after it, so a reader that reaches
 * a tick knows the partition holds nothing older (give or take the out-of-orderness bound) that it
 * has not read; {@code time.PartitionWatermarks} moves the partition's watermark to the tick's time.
 *
 * <p>Because ticks sit in the log in order with the events, a backlog after a restore, a paused
 * process or a backpressured job reads them in turn: time only moves as far as the data read.
 * The price: the job needs write access to its input topics, and other readers of those topics
 * must skip records with the tick header (docs/DESIGN.md).
 */
public final class ClockTicks {

    private ClockTicks() {}

    /**
     * Adds the tick source and writer (one subtask each) to the job. The writer learns of partitions
     * added to the topics within {@code partitionDiscovery}, as the job's sources do.
     */
    public static void addTo(
            StreamExecutionEnvironment env,
            String brokers,
            List<String> topics,
            Duration interval,
            Duration partitionDiscovery) {
        GeneratorFunction<Long, Long> tickNumber = index -> index;
        DataGeneratorSource<Long> ticks = new DataGeneratorSource<>(
                tickNumber, Long.MAX_VALUE, RateLimiterStrategy.perSecond(1000.0 / interval.toMillis()), Types.LONG);
        env.fromSource(ticks, WatermarkStrategy.noWatermarks(), "clock ticks")
                .setParallelism(1)
                .uid("clock-ticks")
                .name("clock ticks")
                .sinkTo(new ClockTickWriter(brokers, topics, partitionDiscovery))
                .setParallelism(1)
                .uid("clock-tick-writer")
                .name("append clock ticks to the input topics");
    }
}
