package dev.streamlens.model;

import dev.streamlens.model.attribution.Contributors;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The additive totals of the calls of a span (a window, an hour, a query's bucket): one value per
 * summed column of the catalogue ({@link MetricColumns}, {@link Rollup.Kind#SUM}; the highest for
 * {@link Rollup.Kind#HIGHEST}), one sketch per
 * sketch column (latencies, times to first token) and one summary of who the calls were for per
 * {@link Rollup.Kind#TOP} column (end users, sessions). The one place a row's derived values are
 * computed from them — averages from the sums, percentiles from the sketches, output tokens per
 * second from tokens and generation time — so the job's windows, its hourly rows and the query
 * service's rollups agree by construction, and nothing is ever an average of averages or of
 * percentiles.
 *
 * <p>Values are set and read by column name, never by position: a new summed column of
 * {@link MetricsRow} is summed, merged, stored and rolled up without a change here.
 */
public final class CallTotals {

    /** The columns combined row by row: added up, or the highest kept. */
    private static final List<MetricColumns.Column> SUMMED = java.util.stream.Stream.concat(
                    MetricColumns.rolledUpBy(Rollup.Kind.SUM).stream(),
                    MetricColumns.rolledUpBy(Rollup.Kind.HIGHEST).stream())
            .toList();

    private static final List<MetricColumns.Column> SKETCHED = MetricColumns.rolledUpBy(Rollup.Kind.SKETCH);
    private static final Map<String, Integer> SUM_INDEX = indexOf(SUMMED);
    private static final Map<String, Integer> SKETCH_INDEX = indexOf(SKETCHED);
    private static final List<MetricColumns.Column> TOPS = MetricColumns.rolledUpBy(Rollup.Kind.TOP);
    private static final Map<String, Integer> TOP_INDEX = indexOf(TOPS);

    /** How each derived column of a row is computed from the totals. */
    private static final Map<String, Function<CallTotals, Object>> DERIVED = Map.ofEntries(
            Map.entry("avg_latency_ms", t -> t.perRequest("latency_sum_ms")),
            Map.entry("p50_latency_ms", t -> t.quantile("latency_sketch", 0.50)),
            Map.entry("p95_latency_ms", t -> t.quantile("latency_sketch", 0.95)),
            Map.entry("p99_latency_ms", t -> t.quantile("latency_sketch", 0.99)),
            Map.entry("avg_prompt_tokens", t -> t.perRequest("total_prompt_tokens")),
            Map.entry("avg_completion_tokens", t -> t.perRequest("total_completion_tokens")),
            Map.entry("p50_ttft_ms", t -> t.quantile("ttft_sketch", 0.50)),
            Map.entry("p95_ttft_ms", t -> t.quantile("ttft_sketch", 0.95)),
            Map.entry("p99_ttft_ms", t -> t.quantile("ttft_sketch", 0.99)),
            Map.entry("output_tokens_per_second", CallTotals::outputTokensPerSecond));

    static {
        for (MetricColumns.Column column : MetricColumns.rolledUpBy(Rollup.Kind.DERIVED)) {
            if (!DERIVED.containsKey(column.name())) {
                throw new IllegalStateException(
                        "MetricsRow." + column.name() + " is derived, but CallTotals has no formula for it");
            }
        }
    }

    /** Per summed column (in catalogue order): a Long, a Double or a BigDecimal. */
    private final Object[] sums;
    /** Per sketch column; owned by this object (merging copies). */
    private final LatencySketch[] sketches;
    /** Per contributors column; owned by this object (merging copies). */
    private final Contributors[] tops;

    private CallTotals(Object[] sums, LatencySketch[] sketches, Contributors[] tops) {
        this.sums = sums;
        this.sketches = sketches;
        this.tops = tops;
    }

    /** No calls. */
    public static CallTotals none() {
        return builder().build();
    }

    /** Totals set column by column; a column not set is zero (or an empty sketch). */
    public static Builder builder() {
        return new Builder();
    }

    /** The columns the totals sum, in catalogue order. */
    public static List<MetricColumns.Column> summedColumns() {
        return SUMMED;
    }

    /** The columns whose sketches the totals merge, in catalogue order. */
    public static List<MetricColumns.Column> sketchColumns() {
        return SKETCHED;
    }

    /** The totals a stored row carries. */
    public static CallTotals of(MetricsRow row) {
        Builder totals = builder();
        for (MetricColumns.Column column : SUMMED) {
            totals.sum(column.name(), column.of(row));
        }
        for (MetricColumns.Column column : SKETCHED) {
            byte[] encoded = (byte[]) column.of(row);
            totals.sketch(column.name(), encoded == null ? LatencySketch.create() : LatencySketch.decode(encoded));
        }
        for (MetricColumns.Column column : TOPS) {
            byte[] encoded = (byte[]) column.of(row);
            totals.contributors(column.name(), encoded == null ? Contributors.forRow() : Contributors.decode(encoded));
        }
        return totals.build();
    }

    /** The totals of several rows: sums, and the merges of their sketches (one sketch each, merged into). */
    public static CallTotals sum(Iterable<MetricsRow> rows) {
        CallTotals total = none();
        for (MetricsRow row : rows) {
            for (int i = 0; i < SUMMED.size(); i++) {
                total.sums[i] = add(SUMMED.get(i), total.sums[i], SUMMED.get(i).of(row));
            }
            for (int i = 0; i < SKETCHED.size(); i++) {
                byte[] encoded = (byte[]) SKETCHED.get(i).of(row);
                if (encoded != null) {
                    total.sketches[i].merge(LatencySketch.decode(encoded));
                }
            }
            for (int i = 0; i < TOPS.size(); i++) {
                byte[] encoded = (byte[]) TOPS.get(i).of(row);
                if (encoded != null) {
                    total.tops[i].merge(Contributors.decode(encoded));
                }
            }
        }
        return total;
    }

    /** These totals and another's, as new totals (neither is changed). */
    public CallTotals plus(CallTotals other) {
        Object[] added = new Object[sums.length];
        for (int i = 0; i < sums.length; i++) {
            added[i] = add(SUMMED.get(i), sums[i], other.sums[i]);
        }
        LatencySketch[] merged = new LatencySketch[sketches.length];
        for (int i = 0; i < sketches.length; i++) {
            merged[i] = sketches[i].copy();
            merged[i].merge(other.sketches[i]);
        }
        Contributors[] tops = new Contributors[this.tops.length];
        for (int i = 0; i < tops.length; i++) {
            tops[i] = this.tops[i].copy();
            tops[i].merge(other.tops[i]);
        }
        return new CallTotals(added, merged, tops);
    }

    /** A summed column's total as a number (a count, milliseconds or dollars). */
    public Number total(String column) {
        return (Number) sums[index(SUM_INDEX, column)];
    }

    /** A summed count's total. */
    public long count(String column) {
        return total(column).longValue();
    }

    /** A sketch column's merged sketch (this object's own: do not change it). */
    public LatencySketch sketch(String column) {
        return sketches[index(SKETCH_INDEX, column)];
    }

    /** A contributors column's merged summary (this object's own: do not change it). */
    public Contributors contributors(String column) {
        return tops[index(TOP_INDEX, column)];
    }

    /** Null when no call was joined (a span of timeouts only). */
    public Double avgLatencyMs() {
        return perRequest("latency_sum_ms");
    }

    /** The q-quantile of the latencies (relative accuracy of the sketch), null without latencies. */
    public Double latencyQuantile(double q) {
        return quantile("latency_sketch", q);
    }

    /** Completion tokens per second of generation time; null when no time was spent generating. */
    public Double outputTokensPerSecond() {
        double generationMs = total("generation_ms_sum").doubleValue();
        return generationMs <= 0 ? null : count("total_completion_tokens") * 1000.0 / generationMs;
    }

    /** The row of these totals for one series and span: every column by name, derived ones computed. */
    public MetricsRow toRow(
            String tenant, String route, String model, Instant start, Instant end, int revision, String jobRun) {
        Map<String, Object> given = new HashMap<>();
        given.put("tenant_id", tenant);
        given.put("route", route);
        given.put("model", model);
        given.put("window_start", start);
        given.put("window_end", end);
        given.put("revision", revision);
        given.put("job_run", jobRun);
        List<MetricColumns.Column> columns = MetricColumns.all();
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
            MetricColumns.Column column = columns.get(i);
            values[i] = switch (column.rollup()) {
                case KEY, SPAN, BOOKKEEPING -> given.get(column.name());
                case SUM, HIGHEST -> sums[SUM_INDEX.get(column.name())];
                case SKETCH -> {
                    LatencySketch sketch = sketches[SKETCH_INDEX.get(column.name())];
                    yield sketch.isEmpty() ? null : sketch.encode();
                }
                case TOP -> {
                    Contributors top = tops[TOP_INDEX.get(column.name())];
                    yield top.total(Contributors.Figure.REQUESTS) == 0 ? null : top.encode();
                }
                case DERIVED -> DERIVED.get(column.name()).apply(this);
            };
        }
        return MetricColumns.newRow(values);
    }

    private Double perRequest(String column) {
        long requests = count("requests");
        return requests == 0 ? null : total(column).doubleValue() / requests;
    }

    private Double quantile(String column, double q) {
        return sketch(column).quantile(q);
    }

    private static Object add(MetricColumns.Column column, Object a, Object b) {
        if (column.rollup() == Rollup.Kind.HIGHEST) {
            return Math.max((Long) a, (Long) b);
        }
        return switch (column.valueType()) {
            case LONG -> (Long) a + (Long) b;
            case DOUBLE -> (Double) a + (Double) b;
            case DECIMAL -> ((BigDecimal) a).add((BigDecimal) b);
            default -> throw new IllegalStateException("a summed column is a count, a sum or money, not " + column);
        };
    }

    private static Object zero(MetricColumns.Column column) {
        return switch (column.valueType()) {
            case LONG -> 0L;
            case DOUBLE -> 0.0;
            case DECIMAL -> BigDecimal.ZERO;
            default -> throw new IllegalStateException("a summed column is a count, a sum or money, not " + column);
        };
    }

    private static int index(Map<String, Integer> index, String column) {
        Integer i = index.get(column);
        if (i == null) {
            throw new IllegalArgumentException("no such column in the totals: " + column);
        }
        return i;
    }

    private static Map<String, Integer> indexOf(List<MetricColumns.Column> columns) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            index.put(columns.get(i).name(), i);
        }
        return Map.copyOf(index);
    }

    /** Sets totals by column name; a value of the wrong kind for its column is refused at once. */
    public static final class Builder {
        private final Object[] sums = new Object[SUMMED.size()];
        private final LatencySketch[] sketches = new LatencySketch[SKETCHED.size()];
        private final Contributors[] tops = new Contributors[TOPS.size()];

        private Builder() {
            for (int i = 0; i < sums.length; i++) {
                sums[i] = zero(SUMMED.get(i));
            }
            for (int i = 0; i < sketches.length; i++) {
                sketches[i] = LatencySketch.create();
            }
            for (int i = 0; i < tops.length; i++) {
                tops[i] = Contributors.forRow();
            }
        }

        /** A summed column's total: a long for a count, a double for a sum, a BigDecimal for money. */
        public Builder sum(String column, Object total) {
            int i = index(SUM_INDEX, column);
            Object zero = zero(SUMMED.get(i));
            if (total == null || total.getClass() != zero.getClass()) {
                throw new IllegalArgumentException(
                        column + " takes a " + zero.getClass().getSimpleName() + ", not " + total);
            }
            sums[i] = total;
            return this;
        }

        /** A sketch column's sketch; the totals own it from here on. */
        public Builder sketch(String column, LatencySketch sketch) {
            sketches[index(SKETCH_INDEX, column)] = sketch;
            return this;
        }

        /** A contributors column's summary; the totals own it from here on. */
        public Builder contributors(String column, Contributors summary) {
            tops[index(TOP_INDEX, column)] = summary;
            return this;
        }

        public CallTotals build() {
            return new CallTotals(sums.clone(), sketches.clone(), tops.clone());
        }
    }
}
