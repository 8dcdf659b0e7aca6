package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.Topics;
import dev.streamlens.testing.TestDirectories;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the job writes stays right whatever reaches it and however it is restarted (rules 7
 * and 8): records whose timestamps it cannot represent, a replay after a crash that reads the
 * topics in another order than the crashed run did, a call too late for its window written while
 * the job is down, and a start without state. The real job runs
 * in a process of its own against live traffic; the outputs are compared with the expectation
 * computed independently from what was written to Kafka.
 */
class OutputsUnderAdversityIT {

    @RegisterExtension
    final TestStack stack = new TestStack();

    @Test
    void timestampsThePipelineCannotRepresentAreDeadLetteredAndNothingMakesTheJobFail() throws Exception {
        // Written before the job starts: a call at a leap second, long ago. Valid RFC 3339: counted
        // (folded onto 23:59:59), in a window the first clock tick closes.
        stack.traffic()
                .send(
                        Topics.REQUESTS,
                        "leap",
                        "{\"request_id\":\"leap\",\"tenant_id\":\"leap\",\"route\":\"chat\","
                                + "\"model\":\"gpt-4o\",\"timestamp\":\"2016-12-31T23:59:60.250Z\",\"prompt_tokens\":10}");
        stack.traffic()
                .send(
                        Topics.RESPONSES,
                        "leap",
                        "{\"request_id\":\"leap\",\"timestamp\":\"2016-12-31T23:59:60.750Z\","
                                + "\"latency_ms\":500,\"completion_tokens\":20}");
        Workload leap =
                call("leap", "leap", Instant.parse("2016-12-31T23:59:59.250Z").toEpochMilli(), 500);

        List<String> unrepresentable = List.of(
                "-300000000-01-01T00:00:00Z",
                "+300000000-01-01T00:00:00Z",
                "12025-11-20T10:00:30Z",
                "0000-01-01T00:00:00+00:01",
                "2025-11-20T10:00:60Z");
        try (JobProcess job = job()) {
            Workload calls = LiveTraffic.workload(201, 1000, Duration.ofSeconds(10));
            CompletableFuture<Void> sending = stack.traffic().play(calls);
            TimeUnit.SECONDS.sleep(3);
            for (int i = 0; i < unrepresentable.size(); i++) {
                String ts = unrepresentable.get(i);
                stack.traffic()
                        .send(
                                Topics.REQUESTS,
                                "odd-" + i,
                                "{\"request_id\":\"odd-" + i + "\",\"tenant_id\":\"odd\","
                                        + "\"route\":\"chat\",\"model\":\"gpt-4o\",\"timestamp\":\"" + ts + "\"}");
                stack.traffic()
                        .send(
                                Topics.RESPONSES,
                                "odd-" + i,
                                "{\"request_id\":\"odd-" + i + "\",\"timestamp\":\"" + ts + "\"}");
            }
            // A live call whose timestamps carry thirteen fraction digits: valid, counted to the millisecond.
            long now = System.currentTimeMillis();
            stack.traffic()
                    .send(
                            Topics.REQUESTS,
                            "precise",
                            "{\"request_id\":\"precise\",\"tenant_id\":\"precise\",\"route\":\"chat\","
                                    + "\"model\":\"gpt-4o\",\"timestamp\":\"" + thirteenDigits(now)
                                    + "\",\"prompt_tokens\":10}");
            stack.traffic()
                    .send(
                            Topics.RESPONSES,
                            "precise",
                            "{\"request_id\":\"precise\",\"timestamp\":\"" + thirteenDigits(now + 250)
                                    + "\",\"latency_ms\":250,\"completion_tokens\":20}");
            Workload precise = call("precise", "precise", now, 250);
            sending.get(2, TimeUnit.MINUTES);

            var expected = LiveTraffic.expected(calls, leap, precise);
            long deadLetters = expected.orphans + 2L * unrepresentable.size();
            PipelineAssertions.assertOutputsMatch(expected, stack.kafka(), stack.postgres(), deadLetters);
            assertThat(PipelineOutputs.committed(stack.kafka(), Topics.DEAD_LETTER))
                    .filteredOn(r -> new String(r.key()).startsWith("odd-"))
                    .hasSize(2 * unrepresentable.size())
                    .allSatisfy(r -> assertThat(new String(
                                    r.headers().lastHeader("streamlens.reason").value()))
                            .startsWith("timestamp: must"));
            assertThat(job.failures()).as("failures of the job").isEmpty();
            JobRun.awaitNoDifferences(
                    "the dead-letter counter against the topic",
                    () -> {
                        try {
                            long counted = job.counter("streamlens_dead_letters");
                            return counted == deadLetters
                                    ? List.of()
                                    : List.of("counted " + counted + ", on the topic " + deadLetters);
                        } catch (Exception e) {
                            return List.of(e.toString());
                        }
                    },
                    Duration.ofSeconds(40));
        }
    }

    @Test
    void aReplayInAnotherOrderLeavesPostgresEqualToTheCommittedTopicAndTheTruth() throws Exception {
        // Checkpoints only when the test asks, and a lateness long enough for the whole story, however
        // slowly the two jobs start: on two busy cores one took 30 s, and a 60 s lateness then dropped
        // the last call, sent a minute after its window.
        List<String> options = LiveTraffic.jobOptions(
                "--checkpoint-interval", "10m", "--allowed-lateness", "5m", "--kafka-transaction-timeout", "15m");
        long window = LiveTraffic.WINDOW.toMillis();
        long w = (System.currentTimeMillis() / window + 3) * window; // a window starting in 4-6 s
        List<Workload> parts = new ArrayList<>();
        try (JobProcess first = JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), options)) {
            for (int i = 0; i < 3; i++) { // three calls on time
                parts.add(sendWhenDue("base-" + i, w + 300 + 500L * i, 200));
            }
            sleepUntil(w + window + LiveTraffic.OUT_OF_ORDERNESS.toMillis() + 2500); // the window has fired
            first.checkpoint();
            for (int i = 0; i < 3; i++) { // three late calls, each a revision of its own (2, 3, 4)
                parts.add(sendNow("late-" + i, w + 200 + 100L * i, 100));
                TimeUnit.MILLISECONDS.sleep(1500);
            }
            first.kill(); // those three revisions were never checkpointed
        }
        // The restored job (checkpointing every second again) reads the three late calls at once: one
        // revision (2) holds them all.
        List<String> restored = LiveTraffic.jobOptions("--allowed-lateness", "5m");
        try (JobProcess second = JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), restored)) {
            TimeUnit.SECONDS.sleep(3);
            parts.add(sendNow("later", w + 1800, 100)); // revision 3
            PipelineAssertions.assertOutputsMatch(
                    LiveTraffic.expected(parts.toArray(Workload[]::new)), stack.kafka(), stack.postgres());
        }
    }

    @Test
    void aJobStartedWithoutStateNeverReplacesRowsWithPartialOnes() throws Exception {
        // A lateness long enough that a late call still revises a window after the restart.
        List<String> options = LiveTraffic.jobOptions("--allowed-lateness", "60s");
        Workload before;
        Workload after;
        Workload late;
        try (JobProcess first = JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), options)) {
            before = LiveTraffic.workload(301, 400, Duration.ofSeconds(8));
            stack.traffic().play(before).get(1, TimeUnit.MINUTES);
            JobRun.awaitNoDifferences(
                    "llm_metrics of the first run",
                    () -> MetricsComparison.differences(
                            LiveTraffic.expected(before), PipelineOutputs.table(stack.postgres())),
                    LiveTraffic.settleTime().plusSeconds(30));
            first.kill();
        }
        Map<ExpectedMetrics.Key, PipelineOutputs.Actual> written = PipelineOutputs.table(stack.postgres());
        java.util.Set<String> firstRuns = new java.util.HashSet<>();
        PipelineOutputs.metricsRecords(stack.kafka())
                .forEach(r -> firstRuns.add(r.path("job_run").asText()));

        // The checkpoints are gone: a new job starts without state, from the group's committed offsets.
        Path fresh = TestDirectories.fresh("fresh-start");
        try (JobProcess second = JobProcess.start(fresh, stack.kafka(), stack.jdbcUrl(), options)) {
            // A late call for the newest window the first run wrote: the new run knows nothing else of
            // that window, so its row for it would be partial. It must not replace the first run's row.
            ExpectedMetrics.Key newest = written.keySet().stream()
                    .max(java.util.Comparator.comparingLong(ExpectedMetrics.Key::windowStart))
                    .orElseThrow();
            late = call("late-for-written-window", newest, newest.windowStart() + 50, 50);
            stack.traffic().sendRequest(late.requests.get(0));
            stack.traffic().sendResponse(late.responses.get(0));
            after = LiveTraffic.workload(302, 200, Duration.ofSeconds(4));
            stack.traffic().play(after).get(1, TimeUnit.MINUTES);
            // The late call is not expected anywhere: the window it belongs to was closed and written by a
            // run whose state is gone. (So are responses the first run still held for a late request:
            // the dead letters are not checked here.)
            PipelineAssertions.assertMetricsMatch(LiveTraffic.expected(before, after), stack.kafka(), stack.postgres());
            Map<ExpectedMetrics.Key, PipelineOutputs.Actual> now = PipelineOutputs.table(stack.postgres());
            written.forEach(
                    (key, row) -> assertThat(now.get(key)).as("row of %s", key).isEqualTo(row));
            // The new run resumed at the watermark the first one committed: the late call is a late
            // event, and no partial row of a written window reached the topic (or the export) either.
            JobRun.awaitNoDifferences(
                    "the late call on " + Topics.LATE_EVENTS,
                    () -> PipelineOutputs.committed(stack.kafka(), Topics.LATE_EVENTS).stream()
                                    .anyMatch(r -> new String(r.key()).equals("late-for-written-window"))
                            ? List.of()
                            : List.of("not there"),
                    Duration.ofSeconds(30));
            assertThat(PipelineOutputs.metricsRecords(stack.kafka()))
                    .filteredOn(r -> !firstRuns.contains(r.path("job_run").asText()))
                    .filteredOn(
                            r -> Instant.parse(r.get("window_start").asText()).toEpochMilli() <= newest.windowStart())
                    .as("records of the new run for windows the first run wrote")
                    .isEmpty();
        }
    }

    @Test
    void aCallTooLateWrittenWhileTheJobIsDownIsStillLateAfterTheRestore() throws Exception {
        Workload before;
        try (JobProcess first = job()) {
            before = LiveTraffic.workload(401, 300, Duration.ofSeconds(6));
            stack.traffic().play(before).get(1, TimeUnit.MINUTES);
            JobRun.awaitNoDifferences(
                    "llm_metrics of the first run",
                    () -> MetricsComparison.differences(
                            LiveTraffic.expected(before), PipelineOutputs.table(stack.postgres())),
                    LiveTraffic.settleTime().plusSeconds(30));
            // Checkpoints (every second) taken once every window was past its lateness: the state
            // the next run restores has closed them all.
            TimeUnit.SECONDS.sleep(3);
            first.kill();
        }
        Map<ExpectedMetrics.Key, PipelineOutputs.Actual> written = PipelineOutputs.table(stack.postgres());

        // Written while the job is down: a call for the first window the first run wrote, long past
        // its lateness (and so is the window of its deadline, where it would count as a timeout).
        // The restored job reads it before any newer record, so only the watermark its checkpoint
        // held can tell that it is late.
        ExpectedMetrics.Key oldest = written.keySet().stream()
                .min(java.util.Comparator.comparingLong(ExpectedMetrics.Key::windowStart))
                .orElseThrow();
        Workload late = call("too-late-while-down", oldest, oldest.windowStart() + 50, 50);
        stack.traffic().sendRequest(late.requests.get(0));
        stack.traffic().sendResponse(late.responses.get(0));

        try (JobProcess second = job()) { // restores the first run's last checkpoint
            Workload after = LiveTraffic.workload(402, 200, Duration.ofSeconds(4));
            stack.traffic().play(after).get(1, TimeUnit.MINUTES);
            PipelineAssertions.assertMetricsMatch(LiveTraffic.expected(before, after), stack.kafka(), stack.postgres());
            Map<ExpectedMetrics.Key, PipelineOutputs.Actual> now = PipelineOutputs.table(stack.postgres());
            written.forEach(
                    (key, row) -> assertThat(now.get(key)).as("row of %s", key).isEqualTo(row));
            JobRun.awaitNoDifferences(
                    "the late call on " + Topics.LATE_EVENTS,
                    () -> PipelineOutputs.committed(stack.kafka(), Topics.LATE_EVENTS).stream()
                                    .anyMatch(r -> new String(r.key()).equals("too-late-while-down"))
                            ? List.of()
                            : List.of("not there"),
                    Duration.ofSeconds(30));
        }
    }

    /** One call whose request and response are sent when their time comes (the response at its timestamp). */
    private Workload sendWhenDue(String id, long responseTs, long latencyMs) throws Exception {
        sleepUntil(responseTs);
        return sendNow(id, responseTs, latencyMs);
    }

    /** One call of tenant acme, sent now whatever its timestamps. */
    private Workload sendNow(String id, long responseTs, long latencyMs) throws Exception {
        Workload call = call(id, "acme", responseTs - latencyMs, latencyMs);
        stack.traffic().sendRequest(call.requests.get(0));
        stack.traffic().sendResponse(call.responses.get(0));
        return call;
    }

    private static Workload call(String id, String tenant, long requestTs, long latencyMs) {
        return call(id, new ExpectedMetrics.Key(tenant, "chat", "gpt-4o", 0), requestTs, latencyMs);
    }

    /**
     * One call of a series (the key's window is not used), naming no end user or session: the calls
     * this test writes by hand carry none.
     */
    private static Workload call(String id, ExpectedMetrics.Key series, long requestTs, long latencyMs) {
        return Workload.of(
                List.of(new Workload.Request(
                        id, series.tenant(), series.route(), series.model(), requestTs, 10, null, null)),
                List.of(new Workload.Response(id, requestTs + latencyMs, (double) latencyMs, 20, null)));
    }

    /** The instant with its millisecond fraction followed by ten more digits. */
    private static String thirteenDigits(long epochMilli) {
        String text = Instant.ofEpochMilli(epochMilli).toString(); // ends in .SSSZ or without a fraction
        String base = text.contains(".") ? text.substring(0, text.indexOf('.')) : text.substring(0, text.length() - 1);
        return base + "." + String.format("%03d", Math.floorMod(epochMilli, 1000)) + "9876543210Z";
    }

    private static void sleepUntil(long epochMilli) throws InterruptedException {
        long wait = epochMilli - System.currentTimeMillis();
        if (wait > 0) {
            TimeUnit.MILLISECONDS.sleep(wait);
        }
    }

    private JobProcess job() throws Exception {
        return JobProcess.start(stack.work, stack.kafka(), stack.jdbcUrl(), LiveTraffic.jobOptions());
    }
}
