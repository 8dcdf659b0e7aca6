package dev.streamlens.bench;

import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.model.pricing.CallPricer;
import dev.streamlens.model.pricing.PriceSet;
import java.math.BigDecimal;
import java.util.OptionalLong;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

/**
 * The obvious alternative to StreamLens' job, as an expert would write it in Flink SQL: an interval
 * join of requests and responses and a TUMBLE window per tenant, route and model with counts,
 * errors, token sums, cost (a scalar function over the job's own pricer, per call) and a p95 from Flink's
 * built-in PERCENTILE, with mini-batch and two-phase (local-global) aggregation on. What SQL cannot
 * say here — timeouts of unanswered requests, duplicate suppression, revisions by late events, a
 * mergeable sketch per window — it leaves out; it computes less than the job does.
 */
final class SqlPeer {

    /** Answered calls: each request with its response within the join timeout (5 min). */
    static final String CALLS = """
            SELECT r.tenant_id, r.route, r.model, r.prompt_tokens, s.completion_tokens, s.failed, s.latency_ms,
                   s.rowtime
            FROM requests r JOIN responses s ON r.request_id = s.request_id
             AND s.rowtime BETWEEN r.rowtime - INTERVAL '5' MINUTE AND r.rowtime + INTERVAL '5' MINUTE
            """;

    /**
     * Calls per window and series, counted at the response's time as the job counts them; with
     * {@link #P95} the exact p95 of Flink's PERCENTILE, which keeps every latency of a window in
     * state (the very cost the job's sketches avoid).
     */
    static final String QUERY = """
            SELECT window_start, window_end, tenant_id, route, model,
                   COUNT(*) AS requests,
                   SUM(CASE WHEN failed THEN 1 ELSE 0 END) AS errors,
                   SUM(prompt_tokens) AS prompt_tokens,
                   SUM(completion_tokens) AS completion_tokens,
                   SUM(cost_usd(model, prompt_tokens, completion_tokens, rowtime)) AS cost_usd%s
            FROM TABLE(TUMBLE(TABLE calls, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
            GROUP BY window_start, window_end, tenant_id, route, model
            """;

    static final String P95 = ",\n       PERCENTILE(latency_ms, 0.95) AS p95_latency_ms";

    private SqlPeer() {}

    /** The SQL job's insert-only result rows, and the plan the planner chose for them. */
    record Peer(DataStream<Row> rows, String plan) {}

    /**
     * The SQL job over events that already carry timestamps and watermarks (the SQL reads them as
     * SOURCE_WATERMARK()).
     */
    static Peer build(
            StreamExecutionEnvironment env,
            DataStream<TelemetryEvent> requests,
            DataStream<TelemetryEvent> responses,
            boolean withPercentile) {
        StreamTableEnvironment tables = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
        var config = tables.getConfig();
        config.set("table.exec.mini-batch.enabled", "true");
        config.set("table.exec.mini-batch.allow-latency", "1 s");
        config.set("table.exec.mini-batch.size", "5000");
        config.set("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        tables.createTemporarySystemFunction("cost_usd", CostUsd.class);

        Schema withTime = Schema.newBuilder()
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build();
        tables.createTemporaryView(
                "requests",
                tables.fromDataStream(
                        requests.map(e -> Row.of(e.requestId, e.tenantId, e.route, e.model, e.promptTokens))
                                .returns(REQUEST_ROW)
                                .name("requests as rows"),
                        withTime));
        tables.createTemporaryView(
                "responses",
                tables.fromDataStream(
                        responses
                                .map(e -> Row.of(e.requestId, e.completionTokens, e.failed, e.latencyMs))
                                .returns(RESPONSE_ROW)
                                .name("responses as rows"),
                        withTime));
        tables.createTemporaryView("calls", tables.sqlQuery(CALLS));
        Table result = tables.sqlQuery(String.format(QUERY, withPercentile ? P95 : ""));
        return new Peer(tables.toDataStream(result), result.explain());
    }

    private static final TypeInformation<Row> REQUEST_ROW = Types.ROW_NAMED(
            new String[] {"request_id", "tenant_id", "route", "model", "prompt_tokens"},
            Types.STRING,
            Types.STRING,
            Types.STRING,
            Types.STRING,
            Types.LONG);
    private static final TypeInformation<Row> RESPONSE_ROW = Types.ROW_NAMED(
            new String[] {"request_id", "completion_tokens", "failed", "latency_ms"},
            Types.STRING,
            Types.LONG,
            Types.BOOLEAN,
            Types.DOUBLE);

    /**
     * The job's pricing as a SQL function, per call at its time: exact USD, null for a model without
     * a price.
     */
    public static final class CostUsd extends ScalarFunction {
        private static final long serialVersionUID = 1L;
        private static final CallPricer PRICER = CallPricer.catalogOnly();

        public @DataTypeHint("DECIMAL(38, 12)") BigDecimal eval(
                String model,
                Long promptTokens,
                Long completionTokens,
                @DataTypeHint("TIMESTAMP_LTZ(3)") java.time.Instant time) {
            if (model == null) {
                return null;
            }
            OptionalLong pico = PRICER.picoDollars(
                    null, model, time.toEpochMilli(), new PriceSet.Usage(promptTokens, 0, 0, completionTokens, 0));
            return pico.isPresent() ? BigDecimal.valueOf(pico.getAsLong(), 12) : null;
        }
    }
}
