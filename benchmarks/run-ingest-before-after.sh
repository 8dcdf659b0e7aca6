#!/usr/bin/env bash
# Single-event ingest, two builds of ingest-service against one embedded Kafka broker, ABBA order
# (A B B A), each beside GET /health and the batch call in the same slot: the ratio, not the absolute figure, is the result.
# Usage: benchmarks/run-ingest-before-after.sh <quarkus-app dir A> <quarkus-app dir B> [seconds per run, default 20]
# Settings per side: ENV_A / ENV_B="KEY=VALUE ..." (e.g. the same build twice with ENV_B=STREAMLENS_INGEST_PRODUCER_LINGER=10ms).
# (build each with `./mvnw -B -pl ingest-service -am package -DskipTests` and copy target/quarkus-app away).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
app_a="$1"; app_b="$2"; seconds="${3:-20}"
require_wrk
build embedded-infra
kafka_port=29094; http_port=18084; url="http://127.0.0.1:$http_port"
start_infra $kafka_port 0
start_build() {  # $1: the quarkus-app directory, $2: its settings
  # shellcheck disable=SC2086 # word splitting of the KEY=VALUE list is intended
  start_app "$1" $http_port KAFKA_BROKERS=127.0.0.1:$kafka_port STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0 $2
}
declare -A single=([A]=0 [B]=0) batch=([A]=0 [B]=0)
sum() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }
for build in $(abba_order A B); do
  if [ $build = A ]; then start_build "$app_a" "${ENV_A:-}"; else start_build "$app_b" "${ENV_B:-}"; fi
  wrk -t2 -c64 -d"$(warmup 8s)" -s benchmarks/ingest/single-request.lua "$url" >/dev/null
  wrk_run -t2 -c64 -d"${seconds}s" "$url/health" > /dev/null; health=$WRK_RATE
  wrk_run -t2 -c64 -d"${seconds}s" -s benchmarks/ingest/single-request.lua "$url" > /dev/null
  echo "$build: /health $health req/s; single events $WRK_RATE/s (p99 $WRK_P99_MS ms)"
  single[$build]=$(sum "${single[$build]}" "$WRK_RATE")
  wrk_run -t2 -c8 -d"${seconds}s" -s benchmarks/ingest/batch.lua "$url" > /dev/null
  echo "$build: batch calls of 500 events $WRK_RATE/s (p99 $WRK_P99_MS ms)"
  batch[$build]=$(sum "${batch[$build]}" "$WRK_RATE")
done
# Each build's two runs averaged: the drift of the machine over the four runs cancels out.
record ingest-before-after "single events, A" "$(abba_mean "${single[A]}")" events/s
record ingest-before-after "single events, B" "$(abba_mean "${single[B]}")" events/s "single events, A"
record ingest-before-after "batch calls of 500 events, A" "$(abba_mean "${batch[A]}")" calls/s
record ingest-before-after "batch calls of 500 events, B" "$(abba_mean "${batch[B]}")" calls/s "batch calls of 500 events, A"
