package dev.streamlens.e2e;

import static dev.streamlens.e2e.StackProcess.JOIN_TIMEOUT_MS;
import static dev.streamlens.e2e.StackProcess.SHORT_TIMES;
import static dev.streamlens.e2e.StackProcess.WINDOW_MS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.Workload;
import dev.streamlens.model.Topics;
import dev.streamlens.testing.TestDirectories;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline as a user runs it: {@code ./streamlens up}, real HTTP traffic to
 * ingest-service (the original service's example payloads, a generated workload with reordering,
 * client retries, errors, slow and unanswered calls, orphans, and late calls), and the rows of
 * the query API compared with an expectation computed in the test from the events that got a
 * 2xx. Then every process of the stack is killed with SIGKILL while traffic flows, the stack is
 * started again on the same data directory, traffic continues, and every acknowledged event must
 * still be counted exactly once.
 *
 * <p>Short windows keep it quick: 10 s windows, 20 s join timeout, 2 s out-of-orderness, 3 s idle
 * timeout, 2 s checkpoints; 40 s allowed lateness (not the 20 s of the other stacks) so that a late
 * call sent seconds behind its schedule by a starved sender is still within it.
 */
class PipelineEndToEndIT {

    /** Delivery delays stay under the out-of-orderness; slow calls stay under the join timeout. */
    private static final long MAX_DELIVERY_DELAY_MS = 1500;
    /** Requests of the first part are spread over this; afterwards only their slow responses arrive. */
    private static final long PART1_SPAN_MS = 25_000;

    private final List<Workload.Request> sentRequests = new ArrayList<>();
    private final List<Workload.Response> sentResponses = new ArrayList<>();

    @Test
    void queryApiCountsEveryAcknowledgedEventOnceAcrossKillMinus9OfEveryProcess() throws Exception {
        Path home = TestDirectories.fresh("e2e");
        Map<String, String> settings = StackProcess.settings(home, SHORT_TIMES);
        settings.put("STREAMLENS_TAG_KEYS", "feature"); // a custom dimension, checked across kill -9 too
        settings.put("STREAMLENS_ALLOWED_LATENESS", "40s"); // the late calls below are 15 s old: 25 s of slack
        PacedSender sender = new PacedSender("http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT"));
        QueryApi query = new QueryApi("http://127.0.0.1:" + settings.get("STREAMLENS_QUERY_PORT"));
        Set<String> tenants = new TreeSet<>(List.of(Workload.TENANTS));
        Instant since = Instant.now().minus(Duration.ofMinutes(10));
        byte[] prices;
        try (InputStream in = getClass().getResourceAsStream("/pricing/default-prices.json")) {
            prices = in.readAllBytes();
        }

        StackProcess stack = StackProcess.up(settings);
        try {
            // Part 1: seed payloads, a workload and late calls within the allowed lateness.
            long start = System.currentTimeMillis() + 1000;
            SeedTraffic seed = SeedTraffic.startingAt(start + 3000);
            tenants.addAll(seed.tenants());
            List<Workload.Delivery> part1 = new ArrayList<>(seed.deliveries);
            sentRequests.addAll(seed.requests);
            sentResponses.addAll(seed.responses);
            part1.addAll(workload(1, 500, start, PART1_SPAN_MS));
            for (int i = 0; i < 10; i++) {
                // 15 s old when sent: its window has closed (10 s windows, 2 s out-of-orderness), but
                // window end + 40 s lateness is far ahead even if the send is held up on busy cores.
                long sendAt = start + 12_000 + i * 1000;
                part1.addAll(call(
                        "late-" + i, Workload.TENANTS[i % 3], sendAt - 15_000, sendAt, sentRequests, sentResponses));
            }

            WindowDelays delays = new WindowDelays(query, tenants, since, WINDOW_MS);
            delays.start();
            sender.play(part1);
            ExpectedMetrics expected1 = expected(sender, prices);
            assertThat(expected1.rows).as("windows the first part must produce").hasSizeGreaterThan(100);
            List<String> part1Diffs = awaitMatch(query, tenants, since, expected1, Duration.ofSeconds(90));
            delays.stop();
            assertThat(part1Diffs)
                    .as("query API vs the acknowledged events, before any failure")
                    .isEmpty();
            List<JsonNode> rows = query.rows(tenants, since);
            assertThat(rows)
                    .as("a late call within the lateness revised a window already written")
                    .anyMatch(row -> row.get("revision").asInt() > 1);
            System.out.printf("[e2e] window end -> row in the query API: %s%n", delays.summary(start + PART1_SPAN_MS));

            // Calls five minutes old: beyond the allowed lateness, acknowledged but never counted.
            List<Workload.Delivery> tooLate = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int i = 0; i < 5; i++) {
                tooLate.addAll(call(
                        "too-late-" + i,
                        "acme",
                        now - Duration.ofMinutes(5).toMillis() + i * 1000,
                        now,
                        new ArrayList<>(),
                        new ArrayList<>()));
            }
            sender.play(tooLate);

            // Part 2: traffic flows; every process of the stack is killed between two calls, then started again.
            long start2 = System.currentTimeMillis() + 1000;
            List<Workload.Delivery> part2 = workload(2, 900, start2, 45_000);
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                try {
                    sender.play(part2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.sleep(start2 + 10_000 - System.currentTimeMillis());
            int acknowledgedBeforeKill;
            synchronized (sender.between) {
                acknowledgedBeforeKill = sender.acknowledged();
                List<ProcessHandle> everything = stack.everyProcess(home);
                everything.forEach(ProcessHandle::destroyForcibly);
                for (ProcessHandle process : everything) {
                    process.onExit().get(30, TimeUnit.SECONDS);
                }
                System.out.printf("[e2e] killed %d processes with SIGKILL%n", everything.size());
            }
            long restarting = System.nanoTime();
            stack = StackProcess.up(settings);
            System.out.printf("[e2e] up again after kill -9 in %.1f s%n", (System.nanoTime() - restarting) / 1e9);
            traffic.get(3, TimeUnit.MINUTES);
            // However long the restart took, traffic goes on after it: 200 more calls over 10 s.
            sender.play(workload(3, 200, System.currentTimeMillis() + 1000, 10_000));

            assertThat(sender.unreachable())
                    .as("calls made while the stack was down")
                    .isPositive();
            assertThat(sender.acknowledged() - acknowledgedBeforeKill)
                    .as("calls acknowledged after the restart")
                    .isGreaterThan(300);
            assertThat(sender.refusals()).as("valid events are never refused").isEmpty();
            ExpectedMetrics expected2 = expected(sender, prices);
            assertThat(expected2.rows.values().stream()
                            .mapToLong(row -> row.timeouts)
                            .sum())
                    .as("requests acknowledged before the kill whose responses could not be sent time out")
                    .isPositive();
            List<String> diffs = awaitMatch(query, tenants, since, expected2, Duration.ofSeconds(120));
            assertThat(diffs)
                    .as("query API vs the acknowledged events, across kill -9 of every process")
                    .isEmpty();
        } finally {
            stack.close();
        }
    }

    /** A generated workload: its deliveries to send, its events remembered for the expectation. */
    private List<Workload.Delivery> workload(long seed, int count, long start, long spanMs) {
        Workload workload =
                Workload.generate(seed, count, start, spanMs, JOIN_TIMEOUT_MS, MAX_DELIVERY_DELAY_MS, 3_000, 15_000);
        sentRequests.addAll(workload.requests);
        sentResponses.addAll(workload.responses);
        return workload.deliveries;
    }

    /** One answered call that happened at {@code ts}, both events sent at {@code sendAt}. */
    private static List<Workload.Delivery> call(
            String id,
            String tenant,
            long ts,
            long sendAt,
            List<Workload.Request> requests,
            List<Workload.Response> responses) {
        Workload.Request request = new Workload.Request(id, tenant, "chat", "gpt-4o", ts, 120);
        Workload.Response response = new Workload.Response(id, ts + 800, 800.0, 40, null);
        requests.add(request);
        responses.add(response);
        return List.of(
                new Workload.Delivery(Topics.REQUESTS, id, Workload.requestJson(request), sendAt),
                new Workload.Delivery(Topics.RESPONSES, id, Workload.responseJson(response), sendAt));
    }

    private ExpectedMetrics expected(PacedSender sender, byte[] prices) {
        return ExpectedMetrics.of(
                sender.acknowledgedPart(sentRequests, sentResponses), prices, WINDOW_MS, JOIN_TIMEOUT_MS);
    }

    /**
     * Polls the query API until its rows, and then its end users and sessions of every tenant, match;
     * or the time is up. Returns the last differences.
     */
    private static List<String> awaitMatch(
            QueryApi query, Set<String> tenants, Instant since, ExpectedMetrics expected, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> diffs;
        do {
            Thread.sleep(1000);
            diffs = MetricsComparison.differences(expected, query.windows(tenants, since));
            for (String tenant : tenants) {
                if (diffs.isEmpty()) {
                    diffs = query.contributorDifferences(expected, tenant);
                }
                if (diffs.isEmpty()) {
                    diffs = query.featureDifferences(expected, tenant);
                }
            }
        } while (!diffs.isEmpty() && System.nanoTime() < deadline);
        return diffs.size() > 40 ? diffs.subList(0, 40) : diffs;
    }

    /** When each window's first row becomes visible in the query API, against the window's end. */
    private static final class WindowDelays {
        private final QueryApi query;
        private final Set<String> tenants;
        private final Instant since;
        private final long windowMs;
        private final Map<Long, Long> firstSeen = new ConcurrentHashMap<>();
        private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();

        WindowDelays(QueryApi query, Set<String> tenants, Instant since, long windowMs) {
            this.query = query;
            this.tenants = tenants;
            this.since = since;
            this.windowMs = windowMs;
        }

        void start() {
            poller.scheduleWithFixedDelay(
                    () -> {
                        try {
                            long now = System.currentTimeMillis();
                            for (JsonNode row : query.rows(tenants, since)) {
                                firstSeen.putIfAbsent(
                                        Instant.parse(row.get("window_start").asText())
                                                .toEpochMilli(),
                                        now);
                            }
                        } catch (Exception e) {
                            // the next poll tries again
                        }
                    },
                    0,
                    250,
                    TimeUnit.MILLISECONDS);
        }

        void stop() {
            poller.shutdownNow();
        }

        /**
         * Median and maximum, separately for windows that ended while traffic flowed (the watermark
         * follows the events) and after it stopped (the watermark follows the clock once the idle
         * timeout has passed).
         */
        String summary(long trafficStopped) {
            assertThat(firstSeen).as("windows seen closing").hasSizeGreaterThan(2);
            return "while traffic flows " + stats(true, trafficStopped) + "; after it stops "
                    + stats(false, trafficStopped);
        }

        private String stats(boolean duringTraffic, long trafficStopped) {
            long[] delays = firstSeen.entrySet().stream()
                    .filter(e -> (e.getKey() + windowMs < trafficStopped) == duringTraffic)
                    .mapToLong(e -> e.getValue() - (e.getKey() + windowMs))
                    .sorted()
                    .toArray();
            return delays.length == 0
                    ? "(no window)"
                    : String.format(
                            "%d windows, median %.1f s, max %.1f s",
                            delays.length, delays[delays.length / 2] / 1000.0, delays[delays.length - 1] / 1000.0);
        }
    }
}
