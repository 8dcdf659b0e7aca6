package dev.streamlens.bench.capacity;

import dev.streamlens.job.it.ExpectedMetrics;
import dev.streamlens.job.it.MetricsComparison;
import dev.streamlens.job.it.PipelineOutputs;
import dev.streamlens.job.it.Workload;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How many LLM calls per second a running stack ({@code ./streamlens up}) takes, end to end: calls
 * at stepped rates ({@link CallTraffic}), and at each step the rate acknowledged, the ingest
 * service's answer time, the job's event-time lag, each window's freshness (its end to its row in
 * the query API), the CPU of every process, and whether the rows of two sampled tenants equal an
 * exact computation of their calls. The capacity is the highest step where everything was
 * acknowledged, the lag stayed flat, every window was readable within the freshness bound and
 * every figure was exact.
 *
 * <p>Usage: {@code CapacityBenchmark <ingest url> <query url> <flink url> <STREAMLENS_HOME> <window s>
 * <step s> <join timeout s> <freshness bound s> <results dir> <system name> <calls/s>...}; the Flink
 * URL "-" when the system has no job (the SQL-only peer); run by
 * {@code benchmarks/run-capacity.sh}, which starts the stack.
 */
public final class CapacityBenchmark {

    /**
     * The tenants whose rows are checked, one of the larger and one of the smaller (3.9 % and 1.8 % of
     * the calls): every call of theirs is kept for the exact computation, so not the largest.
     */
    static final Set<String> SAMPLED = new LinkedHashSet<>(List.of(CallTraffic.tenant(4), CallTraffic.tenant(12)));

    /** The tenant whose windows' freshness is measured. */
    static final String WATCHED = CallTraffic.tenant(4);

    /** Lag growth over a step's second half beyond which the job is falling behind. */
    private static final long LAG_GROWTH_MS = 5_000;

    private record Step(
            double target,
            long start,
            long end,
            CallTraffic.StepTotals totals,
            List<long[]> lag,
            Map<String, Double> cpuPercent) {

        double sentPerSecond() {
            return totals.started() * 1000.0 / (end - start);
        }

        double acknowledgedCallsPerSecond() {
            return totals.acknowledgedEvents() / 2.0 * 1000.0 / (end - start);
        }

        long postP99() {
            List<Long> sorted = new ArrayList<>(totals.postMillis());
            sorted.sort(null);
            return sorted.isEmpty() ? -1 : sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
        }

        long lagAtEnd() {
            return lag.isEmpty() ? -1 : lag.get(lag.size() - 1)[1];
        }

        /** The lag's growth over the step's second half (mean of its last quarter minus its second's). */
        long lagGrowth() {
            long quarter = (end - start) / 4;
            double second = meanLag(start + quarter, start + 2 * quarter);
            double last = meanLag(end - quarter, end);
            return Double.isNaN(second) || Double.isNaN(last) ? Long.MAX_VALUE : (long) (last - second);
        }

        private double meanLag(long from, long to) {
            return lag.stream()
                    .filter(s -> s[0] >= from && s[0] < to && s[1] >= 0)
                    .mapToLong(s -> s[1])
                    .average()
                    .orElse(Double.NaN);
        }
    }

    private CapacityBenchmark() {}

    public static void main(String[] args) throws Exception {
        String ingest = args[0];
        String query = args[1];
        JobLag jobLag = args[2].equals("-") ? null : new JobLag(args[2]); // "-": no job (the peer)
        ProcessCpu cpu = new ProcessCpu(Path.of(args[3]));
        long windowMs = Long.parseLong(args[4]) * 1000;
        long stepMs = Long.parseLong(args[5]) * 1000;
        long joinTimeoutMs = Long.parseLong(args[6]) * 1000;
        long freshnessBoundMs = Long.parseLong(args[7]) * 1000;
        Path resultsDir = Path.of(args[8]);
        String system = args[9];
        List<Double> rates = new ArrayList<>();
        for (int i = 10; i < args.length; i++) {
            rates.add(Double.parseDouble(args[i]));
        }

        CallTraffic traffic = new CallTraffic(ingest, SAMPLED);
        QueryApiReader reader = new QueryApiReader(query, windowMs);
        reader.watch(WATCHED);
        List<long[]> lagSamples = new ArrayList<>();
        Thread lagSampler = new Thread(() -> {
            while (jobLag != null) {
                long lag = jobLag.millis();
                synchronized (lagSamples) {
                    lagSamples.add(new long[] {System.currentTimeMillis(), lag});
                }
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        lagSampler.setDaemon(true);
        lagSampler.start();

        // One window at half the first rate before any step: JIT compilation and first checkpoints would
        // otherwise count against the first step (measured: ingest p99 1.2 s there, 56 ms after). Half:
        // a cold job warmed at a rate near its capacity carries the backlog into the first step (at
        // 7,500 calls/s: windows complete 84 s after their end, though the lag was falling).
        long warmUpStart = System.currentTimeMillis();
        double warmUpRate = rates.get(0) / 2;
        traffic.run(warmUpRate, warmUpStart + windowMs);
        System.out.printf("warm-up: %.0f calls/s for %d s%n", warmUpRate, windowMs / 1000);

        List<Step> steps = new ArrayList<>();
        int behind = 0;
        for (double rate : rates) {
            long start = System.currentTimeMillis();
            Map<String, Double> cpuBefore = cpu.cpuSeconds();
            CallTraffic.StepTotals totals = traffic.run(rate, start + stepMs);
            long end = System.currentTimeMillis();
            Map<String, Double> cpuPercent =
                    ProcessCpu.percentOfACore(cpuBefore, cpu.cpuSeconds(), (end - start) / 1000.0);
            List<long[]> lag;
            synchronized (lagSamples) {
                lag = lagSamples.stream()
                        .filter(s -> s[0] >= start && s[0] < end)
                        .toList();
            }
            Step step = new Step(rate, start, end, totals, lag, cpuPercent);
            steps.add(step);
            System.out.printf(
                    "step %.0f calls/s: sent %.0f/s, acknowledged %.0f calls/s, lag at end %d ms (growth %d ms)%n",
                    rate, step.sentPerSecond(), step.acknowledgedCallsPerSecond(), step.lagAtEnd(), step.lagGrowth());
            // Once the job falls behind, every higher rate does too: one more step shows the bend.
            if (fallingBehind(step, jobLag != null) && ++behind == 2) {
                break;
            }
        }
        traffic.drain();
        long lastCallStart = steps.get(steps.size() - 1).end;

        // Every figure is final once the last request's timeout has fired and its window committed.
        long finalAt = lastCallStart + 4_000 + joinTimeoutMs + windowMs + freshnessBoundMs;
        System.out.printf(
                "waiting %d s for the last timeouts and windows%n", (finalAt - System.currentTimeMillis()) / 1000);
        ExpectedMetrics expected = expected(traffic, windowMs, joinTimeoutMs);
        long from = Math.floorDiv(warmUpStart, windowMs) * windowMs;
        long to = (Math.floorDiv(finalAt, windowMs) + 1) * windowMs;
        Map<ExpectedMetrics.Key, PipelineOutputs.Actual> actual = Map.of();
        List<String> differences = List.of("not compared");
        while (System.currentTimeMillis() < finalAt + 60_000) {
            Thread.sleep(Math.max(5_000, Math.min(30_000, finalAt - System.currentTimeMillis())));
            if (System.currentTimeMillis() < finalAt) {
                continue;
            }
            actual = reader.windows(SAMPLED, from, to);
            differences = MetricsComparison.differences(expected, actual);
            if (differences.isEmpty()) {
                break;
            }
        }

        List<CapacityPlot.Point> points = new ArrayList<>();
        double capacity = 0;
        boolean everyStepWithin = true;
        for (Step step : steps) {
            List<Long> freshness = freshness(reader, expected, step, windowMs);
            long windowStartFrom = Math.floorDiv(step.start, windowMs) * windowMs;
            List<String> stepDifferences = MetricsComparison.differences(
                    during(expected, windowStartFrom, step.end), during(actual, windowStartFrom, step.end));
            long freshest = freshness.isEmpty() ? -1 : freshness.get(0);
            long slowest = freshness.isEmpty() ? -1 : freshness.get(freshness.size() - 1);
            boolean allAcknowledged = step.totals().refusedEvents() == 0;
            boolean keptUp = step.sentPerSecond() >= 0.97 * step.target;
            boolean flat = jobLag == null || step.lagGrowth() <= LAG_GROWTH_MS;
            boolean fresh = !freshness.isEmpty() && slowest <= freshnessBoundMs;
            boolean exact = stepDifferences.isEmpty();
            boolean within = allAcknowledged && keptUp && flat && fresh && exact;
            if (within && everyStepWithin) {
                capacity = step.target;
            }
            everyStepWithin &= within;
            points.add(new CapacityPlot.Point(
                    step.target,
                    step.lagAtEnd() / 1000.0,
                    freshness.isEmpty() ? -1 : slowest == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : slowest / 1000.0,
                    within));
            System.out.printf(
                    "capacity step %.0f calls/s: sent %.0f calls/s, acknowledged %.0f calls/s, refused events %d, "
                            + "ingest p99 %d ms, query p99 %d ms, lag at end %d ms, lag growth %s ms (%s), windows %d, freshness "
                            + "min %d ms max %d ms (%s), exact %s, cpu %s%n",
                    step.target,
                    step.sentPerSecond(),
                    step.acknowledgedCallsPerSecond(),
                    step.totals().refusedEvents(),
                    step.postP99(),
                    reader.pollP99(step.start, step.end),
                    step.lagAtEnd(),
                    jobLag == null ? "-" : step.lagGrowth() == Long.MAX_VALUE ? "?" : Long.toString(step.lagGrowth()),
                    jobLag == null ? "no job" : flat ? "flat" : "growing",
                    freshness.size(),
                    freshest == Long.MAX_VALUE ? -1 : freshest,
                    slowest == Long.MAX_VALUE ? -1 : slowest,
                    fresh ? "within bound" : "beyond bound",
                    exact
                            ? "yes"
                            : "no (" + stepDifferences.size() + " differences, first: " + stepDifferences.get(0) + ")",
                    step.cpuPercent().entrySet().stream()
                            .map(e -> e.getKey().replace(' ', '-') + "=" + Math.round(e.getValue()) + "%")
                            .collect(Collectors.joining(" ")));
        }
        if (!differences.isEmpty()) {
            System.out.printf(
                    "%d differences in all; the first: %s%n",
                    differences.size(), differences.subList(0, Math.min(5, differences.size())));
        }
        Files.createDirectories(resultsDir);
        Path png = resultsDir.resolve("capacity-" + system + ".png");
        CapacityPlot.write(
                png,
                String.format("%s end to end on one 2-core machine (%d-s windows)", system, windowMs / 1000),
                points,
                freshnessBoundMs / 1000.0,
                capacity);
        System.out.printf("capacity %.0f calls/s (freshness bound %d ms); plot %s%n", capacity, freshnessBoundMs, png);
    }

    /**
     * Whether the system fell behind in this step: the job's lag grew (StreamLens), or, where there
     * is no job to lag (the peer), calls were refused or could not be sent at the rate.
     */
    private static boolean fallingBehind(Step step, boolean withJob) {
        return withJob
                ? step.lagGrowth() > LAG_GROWTH_MS
                : step.totals().refusedEvents() > 0 || step.sentPerSecond() < 0.97 * step.target;
    }

    private static ExpectedMetrics expected(CallTraffic traffic, long windowMs, long joinTimeoutMs) throws Exception {
        byte[] prices;
        try (InputStream in = CapacityBenchmark.class.getResourceAsStream("/pricing/default-prices.json")) {
            prices = in.readAllBytes();
        }
        List<Workload.Request> requests;
        List<Workload.Response> responses;
        synchronized (traffic.sampledRequests) {
            requests = new ArrayList<>(traffic.sampledRequests);
        }
        synchronized (traffic.sampledResponses) {
            responses = new ArrayList<>(traffic.sampledResponses);
        }
        return ExpectedMetrics.of(Workload.of(requests, responses), prices, windowMs, joinTimeoutMs);
    }

    /**
     * For each window wholly inside the step, the delay from its end until the watched tenant's rows
     * showed all its answered calls (Long.MAX_VALUE: never while watched), ascending.
     */
    private static List<Long> freshness(QueryApiReader reader, ExpectedMetrics expected, Step step, long windowMs) {
        Map<Long, Long> answered = new TreeMap<>();
        expected.rows.forEach((key, row) -> {
            if (key.tenant().equals(WATCHED)
                    && key.windowStart() >= step.start
                    && key.windowStart() + windowMs <= step.end) {
                answered.merge(key.windowStart(), row.requests, Long::sum);
            }
        });
        List<Long> delays = new ArrayList<>();
        answered.forEach((windowStart, calls) -> {
            long completeAt = reader.completeAt(windowStart, calls);
            delays.add(completeAt < 0 ? Long.MAX_VALUE : Math.max(0, completeAt - (windowStart + windowMs)));
        });
        delays.sort(null);
        return delays;
    }

    private static ExpectedMetrics during(ExpectedMetrics all, long from, long to) {
        ExpectedMetrics part = new ExpectedMetrics();
        all.rows.forEach((key, row) -> {
            if (key.windowStart() >= from && key.windowStart() < to) {
                part.rows.put(key, row);
            }
        });
        return part;
    }

    private static <V> Map<ExpectedMetrics.Key, V> during(Map<ExpectedMetrics.Key, V> all, long from, long to) {
        Map<ExpectedMetrics.Key, V> part = new java.util.HashMap<>();
        all.forEach((key, value) -> {
            if (key.windowStart() >= from && key.windowStart() < to) {
                part.put(key, value);
            }
        });
        return part;
    }
}
