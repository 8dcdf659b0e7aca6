package dev.streamlens.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metric rules (docs/DESIGN.md#what-the-numbers-mean) computed directly from a workload, with none of the job's code:
 * plain maps, exact lists of latencies, BigDecimal prices.
 */
public final class ExpectedMetrics {

    /** A series' window: the unique key of llm_metrics. */
    public record Key(String tenant, String route, String model, long windowStart) {}

    public static final class Row {
        public long requests;
        public long errors;
        public long timeouts;
        public long promptTokens;
        public long completionTokens;
        public double latencySum;
        public final List<Double> latencies = new ArrayList<>();
        public BigDecimal cost = BigDecimal.ZERO;
        public long unpriced;
        public long cachedPromptTokens;
        public long cacheWriteTokens;
        public long reasoningTokens;
        public final List<Double> ttfts = new ArrayList<>();
        public double generationMs;
        public long truncated;
        /** Per end user (calls without one under {@code ""}): cost in nano-dollars, requests, tokens, errors. */
        public final Map<String, long[]> users = new TreeMap<>();
        /** The same per session. */
        public final Map<String, long[]> sessions = new TreeMap<>();
        /** The same per value of the tag key {@code feature} ({@link Workload.Request#feature}; "" for none). */
        public final Map<String, long[]> features = new TreeMap<>();

        void attribute(String user, String session, String feature, BigDecimal cost, long tokens, boolean failed) {
            // each call's cost to the nano-dollar, half up, as the summaries count it
            long nano = cost.movePointRight(9)
                    .setScale(0, java.math.RoundingMode.HALF_UP)
                    .longValueExact();
            for (Map.Entry<String, Map<String, long[]>> by : List.of(
                    Map.entry(user == null ? "" : user, users),
                    Map.entry(session == null ? "" : session, sessions),
                    Map.entry(feature == null ? "" : feature, features))) {
                long[] f = by.getValue().computeIfAbsent(by.getKey(), id -> new long[4]);
                f[0] += nano;
                f[1]++;
                f[2] += tokens;
                f[3] += failed ? 1 : 0;
            }
        }

        void attributeAll(Row other) {
            for (Map.Entry<Map<String, long[]>, Map<String, long[]>> pair : List.of(
                    Map.entry(other.users, users),
                    Map.entry(other.sessions, sessions),
                    Map.entry(other.features, features))) {
                pair.getKey().forEach((id, f) -> {
                    long[] to = pair.getValue().computeIfAbsent(id, i -> new long[4]);
                    for (int i = 0; i < 4; i++) {
                        to[i] += f[i];
                    }
                });
            }
        }
    }

    /** The finish reasons (as the workloads spell them) of an output cut at the token limit. */
    private static final java.util.Set<String> TOKEN_LIMIT_REASONS =
            java.util.Set.of("length", "max_tokens", "MAX_TOKENS");

    public final Map<Key, Row> rows = new TreeMap<>(java.util.Comparator.comparing(Key::tenant)
            .thenComparing(Key::route)
            .thenComparing(Key::model)
            .thenComparingLong(Key::windowStart));
    public long orphans;

    /**
     * Each end user's figures summed over the rows of these keys, as a ranking over a range adds
     * them up: cost in nano-dollars, requests, tokens, errors; {@code ""} for calls naming none.
     */
    public Map<String, long[]> usersOf(java.util.function.Predicate<Key> which) {
        return summed(which, row -> row.users);
    }

    /** The same per session. */
    public Map<String, long[]> sessionsOf(java.util.function.Predicate<Key> which) {
        return summed(which, row -> row.sessions);
    }

    /**
     * The same per value of the tag key {@code feature} (a job declaring it for the tenant, with no
     * more values than its cap): what {@code /v1/tags/top?key=feature} adds up.
     */
    public Map<String, long[]> featuresOf(java.util.function.Predicate<Key> which) {
        return summed(which, row -> row.features);
    }

    private Map<String, long[]> summed(
            java.util.function.Predicate<Key> which, java.util.function.Function<Row, Map<String, long[]>> ids) {
        Map<String, long[]> sums = new TreeMap<>();
        rows.forEach((key, row) -> {
            if (which.test(key)) {
                ids.apply(row).forEach((id, figures) -> {
                    long[] sum = sums.computeIfAbsent(id, i -> new long[figures.length]);
                    for (int f = 0; f < figures.length; f++) {
                        sum[f] += figures[f];
                    }
                });
            }
        });
        return sums;
    }

    public static ExpectedMetrics of(Workload workload, byte[] priceTableJson, long windowMs, long joinTimeoutMs) {
        Map<String, BigDecimal[]> prices = prices(priceTableJson);
        Map<String, Workload.Response> responseById = new HashMap<>();
        for (Workload.Response r : workload.responses) {
            responseById.putIfAbsent(r.id(), r);
        }
        ExpectedMetrics expected = new ExpectedMetrics();
        java.util.Set<String> requestIds = new java.util.HashSet<>();
        for (Workload.Request request : workload.requests) {
            requestIds.add(request.id());
            Workload.Response response = responseById.get(request.id());
            boolean joins = response != null
                    && response.ts() >= request.ts() - 5000
                    && response.ts() <= request.ts() + joinTimeoutMs;
            if (!joins) {
                if (response != null) {
                    expected.orphans++;
                }
                long deadline = request.ts() + joinTimeoutMs;
                expected.row(request, deadline, windowMs).timeouts++;
                continue;
            }
            Row row = expected.row(request, response.ts(), windowMs);
            row.requests++;
            if (response.error() != null && !response.error().isEmpty()) {
                row.errors++;
            }
            double latency =
                    response.latencyMs() != null ? response.latencyMs() : Math.max(0, response.ts() - request.ts());
            row.latencies.add(latency);
            row.latencySum += latency;
            row.promptTokens += request.promptTokens();
            row.completionTokens += response.completionTokens();
            // Cache figures are parts of the prompt: believed up to the prompt total.
            long cached = Math.min(response.cachedPromptTokens(), request.promptTokens());
            long written = Math.min(response.cacheWriteTokens(), request.promptTokens() - cached);
            row.cachedPromptTokens += cached;
            row.cacheWriteTokens += written;
            row.reasoningTokens += Math.min(response.reasoningTokens(), response.completionTokens());
            if (response.finishReason() != null && TOKEN_LIMIT_REASONS.contains(response.finishReason())) {
                row.truncated++;
            }
            boolean streamed = response.ttftMs() != null
                    && (response.latencyMs() == null || response.ttftMs() <= response.latencyMs());
            if (streamed) {
                double ttft = Math.min(response.ttftMs(), latency);
                row.ttfts.add(ttft);
                row.generationMs += latency - ttft;
            } else {
                row.generationMs += latency;
            }
            BigDecimal[] price = priceOf(prices, request.model());
            BigDecimal callCost = BigDecimal.ZERO;
            if (price == null) {
                row.unpriced++;
            } else {
                // Each prompt token once: at the cache read price, the cache write price, or the input price.
                callCost = price[0].multiply(BigDecimal.valueOf(request.promptTokens() - cached - written))
                        .add(price[2].multiply(BigDecimal.valueOf(cached)))
                        .add(price[3].multiply(BigDecimal.valueOf(written)))
                        .add(price[1].multiply(BigDecimal.valueOf(response.completionTokens())))
                        .movePointLeft(6);
                row.cost = row.cost.add(callCost);
            }
            row.attribute(
                    request.userId(),
                    request.sessionId(),
                    request.feature(),
                    callCost,
                    request.promptTokens() + response.completionTokens(),
                    response.error() != null && !response.error().isEmpty());
        }
        for (Workload.Response r : workload.responses) {
            if (!requestIds.contains(r.id())) {
                expected.orphans++;
            }
        }
        return expected;
    }

    /** The same metrics rolled up into hours: what llm_metrics_hourly must hold. */
    public ExpectedMetrics hourly() {
        ExpectedMetrics hours = new ExpectedMetrics();
        long hourMs = 3_600_000;
        rows.forEach((key, minute) -> {
            Row hour = hours.rows.computeIfAbsent(
                    new Key(key.tenant(), key.route(), key.model(), Math.floorDiv(key.windowStart(), hourMs) * hourMs),
                    k -> new Row());
            hour.requests += minute.requests;
            hour.errors += minute.errors;
            hour.timeouts += minute.timeouts;
            hour.promptTokens += minute.promptTokens;
            hour.completionTokens += minute.completionTokens;
            hour.latencySum += minute.latencySum;
            hour.latencies.addAll(minute.latencies);
            hour.cost = hour.cost.add(minute.cost);
            hour.unpriced += minute.unpriced;
            hour.cachedPromptTokens += minute.cachedPromptTokens;
            hour.cacheWriteTokens += minute.cacheWriteTokens;
            hour.reasoningTokens += minute.reasoningTokens;
            hour.ttfts.addAll(minute.ttfts);
            hour.generationMs += minute.generationMs;
            hour.truncated += minute.truncated;
            hour.attributeAll(minute);
        });
        return hours;
    }

    private Row row(Workload.Request request, long eventTime, long windowMs) {
        long start = Math.floorDiv(eventTime, windowMs) * windowMs;
        return rows.computeIfAbsent(new Key(request.tenant(), request.route(), request.model(), start), k -> new Row());
    }

    /** Exact name first, then the longest listed prefix. */
    private static BigDecimal[] priceOf(Map<String, BigDecimal[]> prices, String model) {
        String best = null;
        for (String name : prices.keySet()) {
            if (model.startsWith(name) && (best == null || name.length() > best.length())) {
                best = name;
            }
        }
        return best == null ? null : prices.get(best);
    }

    private static Map<String, BigDecimal[]> prices(byte[] json) {
        try {
            JsonNode models = new ObjectMapper().readTree(json).get("models");
            Map<String, BigDecimal[]> prices = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                BigDecimal input =
                        new BigDecimal(e.getValue().get("input_per_million").asText());
                prices.put(e.getKey(), new BigDecimal[] {
                    input,
                    new BigDecimal(e.getValue().get("output_per_million").asText()),
                    e.getValue().has("cache_read_per_million")
                            ? new BigDecimal(
                                    e.getValue().get("cache_read_per_million").asText())
                            : input,
                    e.getValue().has("cache_write_per_million")
                            ? new BigDecimal(
                                    e.getValue().get("cache_write_per_million").asText())
                            : input
                });
            }
            return prices;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The nearest-rank q-quantile: the ceil(q * n)-th smallest value. */
    static double nearestRank(List<Double> values, double q) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = new BigDecimal(Double.toString(q))
                .multiply(BigDecimal.valueOf(sorted.length))
                .setScale(0, java.math.RoundingMode.CEILING)
                .intValueExact();
        return sorted[Math.max(1, rank) - 1];
    }
}
