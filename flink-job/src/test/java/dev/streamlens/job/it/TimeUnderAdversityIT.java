package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Time is the events' time, never the machine's (docs/DESIGN.md#what-the-numbers-mean, rule 7): the real job, in a process of its
 * own, on live traffic, against things that happen to real deployments — a restore with a backlog,
 * a frozen process, a blocked database, a client whose clock runs ahead (on a job with more
 * subtasks than partitions). After each, PostgreSQL (minutes and hours) and the committed llm.metrics must equal
 * the expectation computed independently from every event written to Kafka.
 */
class TimeUnderAdversityIT {

    @RegisterExtension
    final TestStack stack = new TestStack();

    @Test
    void aJobRestoredWithABacklogCountsEveryEventAsAnUninterruptedRunWould() throws Exception {
        // ~3,000 records a second for 25 s; the job is down from the 5th second until the sender is done,
        // then drains the backlog (~60,000 records: longer than three idle timeouts to read). It starts
        // again only then: a starting job's CPU on two cores once held the sender back beyond the job's
        // bound for out-of-order records, and the run then proves nothing.
        // A roomier bound for out-of-order records than the other tests': with the job and other test
        // forks on two cores the sender has fallen 2.2 s behind its schedule in the first seconds.
        Duration outOfOrderness = Duration.ofSeconds(6);
        Workload calls;
        CompletableFuture<Void> sending;
        try (JobProcess job = job("--out-of-orderness", "6s")) {
            calls = LiveTraffic.workload(101, 37_500, Duration.ofSeconds(25));
            sending = stack.traffic().play(calls, outOfOrderness);
            TimeUnit.SECONDS.sleep(5);
            assertThat(job.completedCheckpoints()).isPositive();
            job.kill();
            stack.traffic().lagNoLongerMatters(); // the sender, starved on two busy cores, once fell 3.9 s behind here
        }
        sending.get(2, TimeUnit.MINUTES);
        try (JobProcess restored = job("--out-of-orderness", "6s")) {
            PipelineAssertions.assertOutputsMatch(LiveTraffic.expected(calls), stack.kafka(), stack.postgres());
        }
    }

    @Test
    void aProcessFrozenLongerThanIdleTimeoutPlusLatenessCountsEveryEvent() throws Exception {
        try (JobProcess job = job()) {
            // Frozen for 8 s, longer than idle timeout + allowed lateness + out-of-orderness (6.5 s).
            Workload calls = LiveTraffic.workload(102, 1500, Duration.ofSeconds(12));
            CompletableFuture<Void> sending = stack.traffic().play(calls);
            TimeUnit.SECONDS.sleep(2);
            job.pause(); // a GC pause or a suspended VM: traffic keeps arriving in Kafka
            TimeUnit.SECONDS.sleep(8);
            job.resume();
            sending.get(2, TimeUnit.MINUTES);
            PipelineAssertions.assertOutputsMatch(LiveTraffic.expected(calls), stack.kafka(), stack.postgres());
        }
    }

    @Test
    void aDatabaseBlockedLongerThanIdleTimeoutPlusLatenessCountsEveryEvent() throws Exception {
        try (JobProcess job = job()) {
            // ~2,200 records a second for 28 s: with the sink stuck for 25 s, Flink's network buffers
            // fill up within seconds and the sources stop reading (backpressure) for the rest.
            Workload calls = LiveTraffic.workload(103, 28_000, Duration.ofSeconds(28));
            CompletableFuture<Void> sending = stack.traffic().play(calls);
            TimeUnit.SECONDS.sleep(2);
            try (Connection lock = stack.postgres().getConnection()) {
                // Every write to the metrics waits: the sink blocks, and the whole job behind it.
                lock.setAutoCommit(false);
                lock.createStatement().execute("LOCK TABLE llm_metrics IN ACCESS EXCLUSIVE MODE");
                TimeUnit.SECONDS.sleep(25);
                lock.commit();
            }
            sending.get(2, TimeUnit.MINUTES);
            PipelineAssertions.assertOutputsMatch(LiveTraffic.expected(calls), stack.kafka(), stack.postgres());
        }
    }

    @Test
    void oneClientWhoseClockRunsAheadMovesTimeForNobodyWithMoreSubtasksThanPartitions() throws Exception {
        // Parallelism 4 on topics of 3 partitions: a source subtask without a partition would hold
        // every watermark back for good; each source runs at most as wide as its topic.
        try (JobProcess job = job("--parallelism", "4")) {
            Workload calls = LiveTraffic.workload(104, 1500, Duration.ofSeconds(12));
            long sendAt = System.currentTimeMillis() + 2000;
            // One application whose clock runs 12 s fast (well inside the ingest's 5-minute bound):
            // 30 calls over 3 s, their request ids spread over every partition.
            List<Workload.Request> requests = new java.util.ArrayList<>();
            List<Workload.Response> responses = new java.util.ArrayList<>();
            for (int i = 0; i < 30; i++) {
                long stamped = sendAt + 12_000 + 100L * i;
                requests.add(new Workload.Request("fast-clock-" + i, "skewed", "chat", "gpt-4o", stamped, 100));
                responses.add(new Workload.Response("fast-clock-" + i, stamped + 400, 400.0, 50, null));
            }
            Workload ahead = Workload.of(requests, responses);
            CompletableFuture<Void> sending = stack.traffic().play(calls);
            for (int i = 0; i < 30; i++) {
                TimeUnit.MILLISECONDS.sleep(Math.max(0, sendAt + 100L * i - System.currentTimeMillis()));
                stack.traffic().sendRequest(requests.get(i));
                stack.traffic().sendResponse(responses.get(i));
            }
            sending.get(2, TimeUnit.MINUTES);
            PipelineAssertions.assertOutputsMatch(LiveTraffic.expected(calls, ahead), stack.kafka(), stack.postgres());
        }
    }

    private JobProcess job(String... options) throws Exception {
        return JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), LiveTraffic.jobOptions(options));
    }
}
