-- One tenant's per-window rows over [?, ?), newest first: answered calls in the window of their
-- response, unanswered ones (after the join timeout) in the window their timeout fell in; the
-- price of the longest model-name prefix listed.
WITH answered AS (
    SELECT c.route, c.model, date_bin(CAST(? AS interval), c.response_ts, TIMESTAMPTZ '1970-01-01') AS window_start,
           c.latency_ms, c.prompt_tokens, c.completion_tokens, c.failed,
           (SELECT p.input_per_million * c.prompt_tokens + p.output_per_million * c.completion_tokens
              FROM model_prices p WHERE starts_with(c.model, p.model)
             ORDER BY length(p.model) DESC LIMIT 1) * 0.000001 AS cost
      FROM llm_calls c
     WHERE c.tenant_id = ? AND c.response_ts >= ? AND c.response_ts < ?
       AND c.request_ts IS NOT NULL
       AND c.response_ts BETWEEN c.request_ts - INTERVAL '5 seconds' AND c.request_ts + CAST(? AS interval)
), per_window AS (
    SELECT route, model, window_start, count(*) AS requests, count(*) FILTER (WHERE failed) AS errors,
           avg(latency_ms) AS avg_latency_ms,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50_latency_ms,
           percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_latency_ms,
           percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99_latency_ms,
           sum(prompt_tokens) AS total_prompt_tokens, sum(completion_tokens) AS total_completion_tokens,
           sum(completion_tokens) * 1000.0 / nullif(sum(latency_ms), 0) AS output_tokens_per_second,
           coalesce(sum(cost), 0) AS estimated_cost_usd, count(*) FILTER (WHERE cost IS NULL) AS unpriced_requests
      FROM answered GROUP BY route, model, window_start
), timed_out AS (
    SELECT route, model,
           date_bin(CAST(? AS interval), request_ts + CAST(? AS interval), TIMESTAMPTZ '1970-01-01') AS window_start,
           count(*) AS timeouts
      FROM llm_calls
     WHERE tenant_id = ? AND response_ts IS NULL AND request_ts + CAST(? AS interval) < now()
       AND request_ts + CAST(? AS interval) >= ? AND request_ts + CAST(? AS interval) < ?
     GROUP BY 1, 2, 3
)
SELECT coalesce(w.route, t.route) AS route, coalesce(w.model, t.model) AS model,
       coalesce(w.window_start, t.window_start) AS window_start,
       coalesce(w.requests, 0) AS requests, coalesce(w.errors, 0) AS errors, coalesce(t.timeouts, 0) AS timeouts,
       w.avg_latency_ms, w.p50_latency_ms, w.p95_latency_ms, w.p99_latency_ms,
       coalesce(w.total_prompt_tokens, 0) AS total_prompt_tokens,
       coalesce(w.total_completion_tokens, 0) AS total_completion_tokens,
       w.output_tokens_per_second, coalesce(w.estimated_cost_usd, 0) AS estimated_cost_usd,
       coalesce(w.unpriced_requests, 0) AS unpriced_requests
  FROM per_window w FULL JOIN timed_out t USING (route, model, window_start)
 ORDER BY 3 DESC, 1, 2
 LIMIT ?
