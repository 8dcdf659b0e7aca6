package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's servers going away leaves the numbers right and the job running: PostgreSQL for
 * longer than a Kafka transaction may stay open, the Kafka broker while windows are being written.
 * The real job runs in a process of its own against live traffic; the outputs are compared with the
 * expectation computed independently from what was written to Kafka.
 */
class DayTwoOutagesIT {

    @RegisterExtension
    final TestStack stack = new TestStack();

    @Test
    void aDatabaseOutageLongerThanTheKafkaTransactionTimeoutLosesNothingAndFailsNothing() throws Exception {
        // Transactions on llm.metrics may stay open 15 s; PostgreSQL is away four times as long.
        List<String> options = LiveTraffic.jobOptions("--kafka-transaction-timeout", "15s");
        try (JobProcess job = JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), options)) {
            Workload before = LiveTraffic.workload(601, 200, Duration.ofSeconds(4));
            stack.traffic().play(before).get(1, TimeUnit.MINUTES);
            stack.stopPostgres();
            Workload during = LiveTraffic.workload(602, 900, Duration.ofSeconds(45));
            stack.traffic().play(during).get(2, TimeUnit.MINUTES);

            // The Kafka topic is committed at every checkpoint whatever PostgreSQL does.
            ExpectedMetrics sofar = LiveTraffic.expected(before, during);
            JobRun.awaitNoDifferences(
                    "llm.metrics while PostgreSQL is down",
                    () -> MetricsComparison.differences(
                            sofar, PipelineOutputs.latestRevisions(PipelineOutputs.metricsRecords(stack.kafka()))),
                    LiveTraffic.settleTime().plusMinutes(1));
            // Flink's REST API refreshes metrics every few seconds: poll, do not read once.
            JobRun.awaitNoDifferences(
                    "the sink's failed writes and waiting rows",
                    () -> {
                        try {
                            long failed = job.counter("streamlens_postgres_failed_writes");
                            long waiting = job.counter("streamlens_postgres_rows_waiting");
                            return failed > 0 && waiting > 0
                                    ? List.of()
                                    : List.of(failed + " failed writes, " + waiting + " rows waiting");
                        } catch (Exception e) {
                            return List.of(e.toString());
                        }
                    },
                    Duration.ofSeconds(30));

            stack.startPostgres();
            Workload after = LiveTraffic.workload(603, 200, Duration.ofSeconds(4));
            stack.traffic().play(after).get(1, TimeUnit.MINUTES);
            PipelineAssertions.assertOutputsMatch(
                    LiveTraffic.expected(before, during, after), stack.kafka(), stack.postgres());
            assertThat(job.failures()).as("failures of the job").isEmpty();
        }
    }

    @Test
    void aKafkaOutageWhileWindowsAreBeingWrittenLosesNothingAndFailsNothing() throws Exception {
        try (JobProcess job = JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), LiveTraffic.jobOptions())) {
            Workload before = LiveTraffic.workload(801, 300, Duration.ofSeconds(6));
            stack.traffic().play(before).get(1, TimeUnit.MINUTES);
            // The broker leaves while the last windows of the traffic are still firing: transactions
            // of completed checkpoints wait to be committed, records wait to be sent.
            TimeUnit.MILLISECONDS.sleep(LiveTraffic.settleTime().toMillis() / 2);
            stack.stopKafka();
            // Longer than Kafka's clients wait for a broker by default (60 s for a new transactional
            // producer, which every checkpoint takes): the job used to fail over then.
            TimeUnit.SECONDS.sleep(75);
            stack.startKafka();

            Workload after = LiveTraffic.workload(802, 300, Duration.ofSeconds(6));
            stack.traffic().play(after).get(2, TimeUnit.MINUTES);
            PipelineAssertions.assertOutputsMatch(LiveTraffic.expected(before, after), stack.kafka(), stack.postgres());
            assertThat(PipelineOutputs.committed(stack.kafka(), Topics.LATE_EVENTS))
                    .as("late events (the workloads send none too late)")
                    .isEmpty();
            assertThat(job.failures()).as("failures of the job").isEmpty();
        }
    }
}
