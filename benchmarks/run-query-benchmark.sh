#!/usr/bin/env bash
# Load test of query-service with wrk against an embedded PostgreSQL holding the query benchmark's
# day: 24 hours of 1-minute rows for 1,000 series (1.44 million rows) and their hourly rows.
# With YEAR=1 it then loads a year beside it (100 series × 365 days: 52.6 million minute rows,
# 876,000 hourly rows in day and month partitions; ~40 GB of disk and ~30 minutes to load on 2
# cores) and measures the same calls again: do they keep their speed as the tables grow?
# The seed call is measured twice: at saturation (wrk's connections back to back) and paced, each
# connection waiting PACE_MS between calls, whose p99 is the call's own tail rather than the queue.
# Usage: [CONNECTIONS=8] [PACE_MS=40] [YEAR=1] [SERIES=1000] [YEAR_SERIES=100 YEAR_DAYS=365] benchmarks/run-query-benchmark.sh [duration, default 30s]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
duration="${1:-30s}"
connections="${CONNECTIONS:-8}"
pace_ms="${PACE_MS:-40}"  # the paced seed call: each connection waits this long between calls
series="${SERIES:-1000}"
require_wrk
build embedded-infra,query-service,benchmarks
pg_port=25432
http_port=18081
url="http://127.0.0.1:$http_port"
day=$(date -u -d 'yesterday' +%Y-%m-%dT00:00:00Z)
week_from=$(date -u -d "$day - 6 days" +%Y-%m-%dT%H:%M:%SZ)
month_from=$(date -u -d "$day - 29 days" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "$day + 1 day" +%Y-%m-%dT%H:%M:%SZ)
start_infra 0 $pg_port
jdbc="jdbc:postgresql://127.0.0.1:$pg_port/postgres"

# The four calls on what the database holds now; $1 names the data set in the results.
measure() {
  # Retention off: the year's rows are what is measured. No Kafka here: alerts are not consumed.
  start_service query-service $http_port STREAMLENS_JDBC_URL="$jdbc" STREAMLENS_RETENTION_MINUTES=0 \
    STREAMLENS_RETENTION_HOURLY=0 STREAMLENS_ALERTS_KAFKA=false
  echo "== warm-up"
  wrk -t2 -c16 -d"$(warmup 10s)" -s benchmarks/query/seed.lua "$url" >/dev/null
  FROM=$week_from TO=$to wrk -t2 -c16 -d"$(warmup 10s)" -s benchmarks/query/rollup.lua "$url" >/dev/null
  echo "== GET /health (framework ceiling), $1"
  wrk_run -t2 -c"$connections" -d"$duration" "$url/health"
  record query "/health, $1" "$WRK_RATE" req/s
  # At saturation the tail is the queue of a 2-core box shared with wrk and PostgreSQL, even for /health.
  record query "/health p99, $1" "$WRK_P99_MS" ms
  echo "== seed call: GET /v1/metrics?tenant_id=X (60 newest rows), $1, $connections connections"
  wrk_run -t2 -c"$connections" -d"$duration" -s benchmarks/query/seed.lua "$url"
  record query "seed call, $1" "$WRK_RATE" req/s "/health, $1"
  local saturated_p99=$WRK_P99_MS
  record query "seed call p99, $1" "$WRK_P99_MS" ms
  echo "== seed call below saturation: $connections connections, each ${pace_ms} ms between calls, $1"
  DELAY_MS=$pace_ms wrk_run -t2 -c"$connections" -d"$duration" -s benchmarks/query/seed-paced.lua "$url"
  record query "seed call paced, $1" "$WRK_RATE" req/s "seed call, $1"
  record query "seed call paced p50, $1" "$WRK_P50_MS" ms
  record query "seed call paced p99, $1" "$WRK_P99_MS" ms "seed call p99, $1"
  echo "(p99 at saturation: $saturated_p99 ms)"
  echo "== 1-hour rollup over 7 days, one tenant, $1, $connections connections"
  FROM=$week_from TO=$to wrk_run -t2 -c"$connections" -d"$duration" -s benchmarks/query/rollup.lua "$url"
  record query "1h rollup over 7 days, $1" "$WRK_RATE" req/s "/health, $1"
  echo "== cost per model per day over 30 days, one tenant, $1, $connections connections"
  FROM=$month_from TO=$to wrk_run -t2 -c"$connections" -d"$duration" -s benchmarks/query/cost-by-model.lua "$url"
  record query "cost per model per day over 30 days, $1" "$WRK_RATE" req/s "/health, $1"
}

echo "== loading a day: $series series × 1 day"
java -cp "$bench_cp" dev.streamlens.bench.QueryBenchmarkData "$jdbc" "$day" "$series" 1
measure day
if [ "${YEAR:-0}" = 1 ]; then
  echo "== loading a year: ${YEAR_SERIES:-100} series × ${YEAR_DAYS:-365} days"
  java -cp "$bench_cp" dev.streamlens.bench.QueryBenchmarkData "$jdbc" "$day" "${YEAR_SERIES:-100}" "${YEAR_DAYS:-365}"
  measure "day and year"
fi
