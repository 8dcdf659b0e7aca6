package dev.streamlens.job;

import dev.streamlens.model.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Lets picocli read the job's duration arguments as the README writes them ({@code 250ms}, {@code 30s}, {@code 5m}). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return Durations.parse(value);
    }
}
