package dev.streamlens.bench;

import dev.streamlens.job.io.JdbcTarget;
import dev.streamlens.job.io.PipelineProgress;
import dev.streamlens.job.io.PostgresCommitter;
import dev.streamlens.model.CallTotals;
import dev.streamlens.model.LatencySketch;
import dev.streamlens.model.MetricsRow;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Thirty days (or the days given) of one tenant with 20 series (5 routes × 4 models), one minute row
 * per series and minute up to now, written as the job writes them ({@link PostgresCommitter}: minute
 * rows, hours derived from them) a day per transaction, and the job's progress. Arguments:
 * {@code <jdbc-url> <tenant> [days, default 30]}.
 */
public final class DashboardBenchmarkData {

    private static final String[] ROUTES = {"chat", "search", "summarize", "classify", "extract"};
    private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "in-house-llm"};

    private DashboardBenchmarkData() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String tenant = args[1];
        int days = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Random random = new Random(15);
        // 64 minutes' worth of calls, reused: what matters here is the number of rows and sketches.
        List<CallTotals> variants = new ArrayList<>();
        for (int v = 0; v < 64; v++) {
            LatencySketch latencies = LatencySketch.create();
            int calls = 5 + random.nextInt(40);
            double sum = 0;
            for (int i = 0; i < calls; i++) {
                double latency = 200 + random.nextInt(4000);
                latencies.add(latency);
                sum += latency;
            }
            variants.add(CallTotals.builder()
                    .sum("requests", (long) calls)
                    .sum("errors", (long) random.nextInt(3))
                    .sum("timeouts", (long) random.nextInt(2))
                    .sum("latency_sum_ms", sum)
                    .sum("total_prompt_tokens", calls * 400L)
                    .sum("total_completion_tokens", calls * 150L)
                    .sum("estimated_cost_usd", new BigDecimal(calls).movePointLeft(3))
                    .sketch("latency_sketch", latencies)
                    .build());
        }
        Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Instant start = end.minus(Duration.ofDays(days));
        long rows = 0;
        try (PostgresCommitter committer = new PostgresCommitter(
                new JdbcTarget(url, "postgres", "postgres"),
                new PipelineProgress.Timing(Duration.ofMinutes(1), Duration.ofMinutes(1)),
                new UnregisteredMetricsGroup())) {
            for (Instant day = start; day.isBefore(end); day = day.plus(Duration.ofDays(1))) {
                List<MetricsRow> batch = new ArrayList<>();
                for (Instant minute = day;
                        minute.isBefore(end) && minute.isBefore(day.plus(Duration.ofDays(1)));
                        minute = minute.plusSeconds(60)) {
                    for (String route : ROUTES) {
                        for (String model : MODELS) {
                            batch.add(variants.get(random.nextInt(variants.size()))
                                    .toRow(tenant, route, model, minute, minute.plusSeconds(60), 1, "benchmark"));
                        }
                    }
                }
                committer.write(batch, end.toEpochMilli() - 1);
                rows += batch.size();
            }
        }
        System.out.printf("%,d minute rows of 20 series over %d days for tenant %s%n", rows, days, tenant);
    }
}
