package dev.streamlens.bench;

import dev.streamlens.job.MetricsPipeline;
import dev.streamlens.model.MetricsRow;
import dev.streamlens.model.Topics;
import dev.streamlens.model.attribution.Contributors;
import dev.streamlens.model.attribution.Contributors.Contributor;
import dev.streamlens.model.attribution.Contributors.Figure;
import dev.streamlens.model.attribution.TagKeys;
import dev.streamlens.model.pricing.CallPricer;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * How right the top end users are when a tenant has 1,000,000 of them (docs/ATTRIBUTION.md): runs
 * the job's pipeline over the synthetic pairs whose requests name a Zipf-distributed user
 * ({@link SyntheticEvents#requestsWithEndUsers}), merges the rows' user summaries of one tenant as
 * the query service does, and checks the top 100 by requests and by tokens against the exact
 * figures computed here from the generator's own formulas. Prints rows per window and bytes per
 * summary, the threshold, how many of the exact top 100 are listed and how many listed figures are
 * exact; exits non-zero if any figure lies outside its stated bounds or a user above the
 * threshold is missing. Usage: {@code AttributionAccuracyReport [pairs]} (default 1,000,000).
 */
public final class AttributionAccuracyReport {

    private static final String TENANT = "tenant-0";
    private static final int TOP = 100;

    private AttributionAccuracyReport() {}

    public static void main(String[] args) throws Exception {
        long pairs = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "hashmap");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        MetricsPipeline.Outputs out = MetricsPipeline.build(
                JobThroughputBenchmark.withEventTime(JobThroughputBenchmark.parsed(
                        env, SyntheticEvents.requestsWithEndUsers(), Topics.REQUESTS, pairs, TagKeys.NONE)),
                JobThroughputBenchmark.withEventTime(JobThroughputBenchmark.parsed(env, Topics.RESPONSES, pairs)),
                new MetricsPipeline.Timing(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(1)),
                CallPricer.catalogOnly());
        Map<String, MetricsRow> latest = new HashMap<>();
        try (CloseableIterator<MetricsRow> rows = out.rows().executeAndCollect("attribution accuracy")) {
            rows.forEachRemaining(row -> latest.merge(
                    row.seriesKey() + "|" + row.windowStart(), row, (a, b) -> a.revision() >= b.revision() ? a : b));
        }

        Set<Long> windows = new HashSet<>();
        long userBytes = 0;
        long sessionBytes = 0;
        long maxUserBytes = 0;
        Contributors merged = Contributors.withCapacity(100_000); // as the query service merges
        Map<String, Contributors> hours = new HashMap<>(); // the hourly rows' summaries, as the committer merges them
        for (MetricsRow row : latest.values()) {
            windows.add(row.windowStart().toEpochMilli());
            int bytes = row.topUsers() == null ? 0 : row.topUsers().length;
            userBytes += bytes;
            maxUserBytes = Math.max(maxUserBytes, bytes);
            sessionBytes += row.topSessions() == null ? 0 : row.topSessions().length;
            if (row.tenantId().equals(TENANT) && row.topUsers() != null) {
                Contributors summary = Contributors.decode(row.topUsers());
                merged.merge(summary);
                String hour = row.seriesKey() + "|" + row.windowStart().toEpochMilli() / 3_600_000;
                hours.computeIfAbsent(hour, h -> Contributors.forRow()).merge(summary);
            }
        }
        System.out.printf(
                "%,d pairs, %,d rows over %,d windows (%.1f rows per window: one per series, whatever the users)%n",
                pairs, latest.size(), windows.size(), (double) latest.size() / windows.size());
        System.out.printf(
                "top_users per row: %,d bytes on average, %,d at most; top_sessions %,d on average%n",
                userBytes / latest.size(), maxUserBytes, sessionBytes / latest.size());

        Map<String, long[]> exact = exactFigures(pairs);
        Contributors fromHours = Contributors.withCapacity(100_000);
        hours.values().forEach(fromHours::merge);
        boolean ok = true;
        for (Figure figure : List.of(Figure.REQUESTS, Figure.TOKENS)) {
            System.out.println("from the minute rows:");
            ok &= check(figure, merged, exact);
            System.out.printf("from the %,d hourly rows (each a summary of its minutes):%n", hours.size());
            ok &= check(figure, fromHours, exact);
        }
        System.exit(ok ? 0 : 1);
    }

    /** Per user of the tenant: requests, tokens, errors, from the generator's formulas (every pair joins). */
    private static Map<String, long[]> exactFigures(long pairs) {
        Map<String, long[]> exact = new HashMap<>();
        for (long i = 0; i < pairs; i += 10) { // tenant-0: i % 10 == 0
            long[] f = exact.computeIfAbsent(SyntheticEvents.userOf(i), u -> new long[Figure.values().length]);
            f[Figure.REQUESTS.ordinal()]++;
            f[Figure.TOKENS.ordinal()] += i % 1000 + i % 500;
            f[Figure.ERRORS.ordinal()] += i % 20 == 0 ? 1 : 0;
        }
        return exact;
    }

    private static boolean check(Figure figure, Contributors merged, Map<String, long[]> exact) {
        int f = figure.ordinal();
        long threshold = merged.errorBound(figure);
        long total = exact.values().stream().mapToLong(x -> x[f]).sum();
        List<String> exactTop = exact.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[f])
                        .thenComparing(Map.Entry::getKey))
                .limit(TOP)
                .map(Map.Entry::getKey)
                .toList();
        List<Contributor> listed = merged.heaviest(figure, TOP);
        boolean ok = merged.total(figure) == total;
        int exactFigures = 0;
        int exactAboveThreshold = 0;
        int aboveThreshold = 0;
        double worst = 0;
        for (Contributor c : listed) {
            long truth = exact.get(c.id())[f];
            ok &= c.counted(figure) <= truth && truth <= c.atMost(figure);
            if (c.exact(figure)) {
                exactFigures++;
            }
            worst = Math.max(worst, (truth - c.counted(figure)) / (double) truth);
        }
        int missingAbove = 0;
        for (Map.Entry<String, long[]> user : exact.entrySet()) {
            if (user.getValue()[f] > threshold) {
                aboveThreshold++;
                if (!merged.holds(user.getKey())) {
                    missingAbove++;
                }
                if (merged.of(user.getKey()).exact(figure)) {
                    exactAboveThreshold++;
                }
            }
        }
        ok &= missingAbove == 0;
        long inExactTop = listed.stream().filter(c -> exactTop.contains(c.id())).count();
        System.out.printf(
                "by %s: %,d users, total %,d; threshold (error bound) %,d = %.3f%% of the total;"
                        + " %,d users above it, %,d of them missing, %,d of them exact;"
                        + " top %d listed: %d of the exact top %d, %d with exact figures,"
                        + " worst shortfall %.2f%%; the 100th exact user has %,d%n",
                figure,
                exact.size(),
                total,
                threshold,
                100.0 * threshold / total,
                aboveThreshold,
                missingAbove,
                exactAboveThreshold,
                TOP,
                inExactTop,
                TOP,
                exactFigures,
                100 * worst,
                exact.get(exactTop.get(TOP - 1))[f]);
        System.out.println(ok ? "  every figure within its bounds" : "  A FIGURE OUTSIDE ITS BOUNDS");
        return ok;
    }
}
