package dev.streamlens.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamlens.model.Durations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The job's arguments carry the documented defaults and notation (README.md, The metrics job). */
class JobSettingsTest {

    @Test
    void defaultsAreTheSpecs() {
        JobSettings s = parse();
        assertThat(s.window).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.joinTimeout).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.outOfOrderness).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.maxParallelism).isEqualTo(128);
        assertThat(s.idleTimeout).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.allowedLateness).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.checkpointInterval).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.kafkaBrokers).isEqualTo("localhost:19092");
        assertThat(s.jdbcUrl).isEqualTo("jdbc:postgresql://localhost:15432/postgres");
        assertThat(s.stateBackend).isEqualTo("rocksdb");
        assertThat(s.pricingFile).isNull();
    }

    @Test
    void durationsUseTheSpecNotation() {
        JobSettings s = parse(
                "--window",
                "30s",
                "--join-timeout",
                "2m",
                "--out-of-orderness",
                "250ms",
                "--allowed-lateness",
                "1h",
                "--idle-timeout",
                "1d");
        assertThat(s.window).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.joinTimeout).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.outOfOrderness).isEqualTo(Duration.ofMillis(250));
        assertThat(s.allowedLateness).isEqualTo(Duration.ofHours(1));
        assertThat(s.idleTimeout).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThatThrownBy(() -> parse("--window", "5 minutes"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("5 minutes");
    }

    @Test
    void refusesSettingsThePipelineCannotHonour() {
        assertThatThrownBy(() -> parse("--window", "0s").validate()).hasMessageContaining("--window");
        assertThatThrownBy(() -> parse("--state-backend", "memory").validate()).hasMessageContaining("--state-backend");
        assertThatThrownBy(() -> parse("--checkpoint-interval", "20m").validate())
                .hasMessageContaining("--kafka-transaction-timeout");
        assertThatThrownBy(() -> parse("--out-of-orderness", "-1s").validate())
                .hasMessageContaining("--out-of-orderness");
        assertThatThrownBy(() -> parse("--parallelism", "200").validate()).hasMessageContaining("--max-parallelism");
        assertThatThrownBy(() -> parse("--max-parallelism", "0").validate()).hasMessageContaining("--max-parallelism");
        assertThatThrownBy(() -> parse("--tag-keys", "acme=a,b,c,d,e,f").validate())
                .hasMessageContaining("--tag-keys: tag keys: acme declares 6 keys, at most 5");
        assertThatThrownBy(() -> parse("--tag-value-cap", "0").validate()).hasMessageContaining("--tag-value-cap");
        assertThat(parse("--tag-keys", "acme=feature;*=environment")
                        .declaredTags()
                        .of("acme"))
                .containsExactly("feature");
    }

    @Test
    void refusesAWindowThatDoesNotDivideAnHour() {
        assertThatThrownBy(() -> parse("--window", "7m").validate())
                .hasMessageContaining("--window must divide an hour")
                .hasMessageContaining("7m");
        assertThatThrownBy(() -> parse("--window", "2h").validate())
                .hasMessageContaining("--window must divide an hour");
        for (String fits : new String[] {"1s", "10s", "15s", "1m", "5m", "20m", "30m", "1h"}) {
            parse("--window", fits).validate();
        }
    }

    @Test
    void aRecomputeRangeIsTwoWindowBoundariesInOrder() {
        JobSettings s = parse("--recompute-from", "2026-11-01T10:00:00Z", "--recompute-to", "2026-11-01T12:00:00Z");
        s.validate();
        assertThat(s.isRecompute()).isTrue();
        assertThat(s.recomputeTo).isEqualTo(java.time.Instant.parse("2026-11-01T12:00:00Z"));
        assertThat(parse().isRecompute()).isFalse();
        assertThatThrownBy(
                        () -> parse("--recompute-from", "2026-11-01T10:00:00Z").validate())
                .hasMessageContaining("--recompute-from and --recompute-to go together");
        assertThatThrownBy(() -> parse(
                                "--recompute-from", "2026-11-01T12:00:00Z", "--recompute-to", "2026-11-01T10:00:00Z")
                        .validate())
                .hasMessageContaining("must be before");
        assertThatThrownBy(() -> parse(
                                "--recompute-from", "2026-11-01T10:00:30Z", "--recompute-to", "2026-11-01T12:00:00Z")
                        .validate())
                .hasMessageContaining("window boundaries");
        assertThat(JobSettings.parse(java.util.Map.of(
                                "STREAMLENS_RECOMPUTE_FROM",
                                "2026-11-01T10:00:00Z",
                                "STREAMLENS_RECOMPUTE_TO",
                                "2026-11-01T10:05:00Z"))
                        .recomputeFrom)
                .isEqualTo(java.time.Instant.parse("2026-11-01T10:00:00Z"));
    }

    @Test
    void usageListsEverySetting() {
        StringWriter text = new StringWriter();
        new CommandLine(new JobSettings()).usage(new PrintWriter(text));
        for (String option : new String[] {
            "--kafka-brokers",
            "--jdbc-url",
            "--window",
            "--join-timeout",
            "--out-of-orderness",
            "--idle-timeout",
            "--allowed-lateness",
            "--checkpoint-interval",
            "--checkpoint-dir",
            "--pricing-file",
            "--state-backend",
            "--resume-from-latest-checkpoint"
        }) {
            assertThat(text.toString()).contains(option);
        }
    }

    @Test
    void everyOptionCanComeFromTheEnvironmentAndAnArgumentWins() {
        JobSettings fromEnvironment = JobSettings.parse(java.util.Map.of(
                "STREAMLENS_WINDOW",
                "30s",
                "STREAMLENS_JOIN_TIMEOUT",
                "2m",
                "STREAMLENS_PRICING_FILE",
                "/etc/prices.json",
                "STREAMLENS_TENANT_SCOPED_REQUEST_IDS",
                "true",
                "STREAMLENS_STATE_BACKEND",
                " ",
                "UNRELATED",
                "x"));
        assertThat(fromEnvironment.window).isEqualTo(Duration.ofSeconds(30));
        assertThat(fromEnvironment.joinTimeout).isEqualTo(Duration.ofMinutes(2));
        assertThat(fromEnvironment.pricingFile).isEqualTo("/etc/prices.json");
        assertThat(fromEnvironment.tenantScopedRequestIds).isTrue();
        assertThat(fromEnvironment.stateBackend).isEqualTo("rocksdb"); // blank: the default
        assertThat(JobSettings.parse(java.util.Map.of("STREAMLENS_WINDOW", "30s"), "--window", "10s").window)
                .isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> JobSettings.parse(java.util.Map.of("STREAMLENS_WINDOW", "7m")))
                .hasMessageContaining("--window must divide an hour");
        assertThatThrownBy(() -> JobSettings.parse(java.util.Map.of("STREAMLENS_IDLE_TIMEOUT", "soon")))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("soon");
        assertThat(JobSettings.environmentName("--allowed-lateness")).isEqualTo("STREAMLENS_ALLOWED_LATENESS");
    }

    private static JobSettings parse(String... args) {
        JobSettings settings = new JobSettings();
        new CommandLine(settings).parseArgs(args);
        return settings;
    }
}
