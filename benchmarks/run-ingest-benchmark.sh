#!/usr/bin/env bash
# Load test of ingest-service with wrk (Debian package `wrk`) against the embedded Kafka broker:
# GET /health (the framework's ceiling), single events at 64 connections, batches of 500 events,
# each without keys, with rate limits, and with API keys plus rate limits.
# Usage: benchmarks/run-ingest-benchmark.sh [duration, default 30s]   (SL_WARMUP: warm-up per call)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
duration="${1:-30s}"
require_wrk
build embedded-infra,ingest-service
kafka_port=29092
http_port=18080
url="http://127.0.0.1:$http_port"
start_infra $kafka_port 0
ingest() { start_service ingest-service $http_port KAFKA_BROKERS=127.0.0.1:$kafka_port "$@"; }

# Single events and batches, after a warm-up; $1 names the variant in the results.
run_variant() {
  wrk -t2 -c64 -d"$(warmup 10s)" -s benchmarks/ingest/single-request.lua "$url" >/dev/null
  wrk -t2 -c8 -d"$(warmup 5s)" -s benchmarks/ingest/batch.lua "$url" >/dev/null
  echo "-- POST /v1/llm/request, one event per call, 64 connections"
  wrk_run -t2 -c64 -d"$duration" -s benchmarks/ingest/single-request.lua "$url"
  record ingest "single events, $1" "$WRK_RATE" events/s "/health"
  single_figure="single events, $1"
  record ingest "single events p99, $1" "$WRK_P99_MS" ms
  echo "-- POST /v1/llm/events, 500 events per call (NDJSON), 8 connections"
  wrk_run -t2 -c8 -d"$duration" -s benchmarks/ingest/batch.lua "$url"
  # Against single events of the same variant: what batching buys.
  record ingest "batched events, $1" "$(awk -v r="$WRK_RATE" 'BEGIN { printf "%.0f", r * 500 }')" events/s "$single_figure"
}

echo "== baseline: no API keys, no rate limits"
ingest STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0
echo "-- GET /health (framework ceiling)"
wrk_run -t2 -c64 -d"$duration" "$url/health"
record ingest "/health" "$WRK_RATE" req/s
run_variant "no keys"

echo "== per-tenant rate limits on (a rate no call reaches: the bucket's cost, not its refusals)"
ingest STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=1000000000
run_variant "rate limits"

echo "== API keys and rate limits on (every call authenticated: SHA-256 of the key, constant-time lookup)"
key="bench-key-$RANDOM$RANDOM"
hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
printf '{"keys": [{"tenant_id": "acme", "sha256": "%s"}]}' "$hash" > "$work/keys.json"
ingest STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=1000000000 STREAMLENS_AUTH=api-key \
  STREAMLENS_API_KEYS_FILE="$work/keys.json"
export STREAMLENS_BENCH_KEY="$key"
run_variant "keys and rate limits"
