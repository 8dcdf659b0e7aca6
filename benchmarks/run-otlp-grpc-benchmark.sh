#!/usr/bin/env bash
# OTLP/gRPC against OTLP/HTTP protobuf, same service, same run: exports of 512 GenAI spans (an SDK's
# default batch, the body of run-otlp-benchmark.sh), 8 connections each, one export at a time per
# connection (as an SDK's exporter sends), alternated A B B A. HTTP by wrk, gRPC by h2load (Debian
# package `nghttp2-client`): TraceService/Export as h2c with the same export as one gRPC message.
# Both are measured the same way, by the service's own counter of accepted events (h2load sees
# HTTP 200 also for a gRPC error): LLM calls per second = accepted events / 2 / seconds.
# Usage: benchmarks/run-otlp-grpc-benchmark.sh [seconds per run, default 20]   (SL_WARMUP: warm-up per side)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
seconds="${1:-20}"
seconds="${seconds%s}"
require_wrk
command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 1; }
build embedded-infra,ingest-service
java -cp "$(cat ingest-service/target/module.classpath)" benchmarks/ingest/OtlpProtobufBody.java \
  "$work/otlp-512-spans.pb" "$work/otlp-512-spans.grpc"
export STREAMLENS_OTLP_BODY="$work/otlp-512-spans.pb"
kafka_port=29096
http_port=18085
grpc_port=18096
url="http://127.0.0.1:$http_port"
start_infra $kafka_port 0
SL_OTLP_GRPC_PORT=$grpc_port start_service ingest-service $http_port KAFKA_BROKERS=127.0.0.1:$kafka_port \
  STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0

accepted() {
  curl -fs "$url/q/metrics" | awk '/^streamlens_ingest_events_accepted_total/ { n += $NF } END { printf "%.0f", n }'
}
# Waits until the counter stands still: exports still in flight from the side before (wrk and h2load
# stop sending at their deadline, the service finishes what it took) must not count for the next side.
settle() {
  local last now
  last=$(accepted)
  for _ in $(seq 1 40); do
    sleep 0.25
    now=$(accepted)
    [ "$now" = "$last" ] && return
    last=$now
  done
}
# Runs one side for $2 seconds; CALLS_PER_S: LLM calls per second by the service's counter.
side() {
  local before after started elapsed
  settle
  before=$(accepted); started=$(date +%s.%N)
  case $1 in
    http) wrk -t2 -c8 -d"$2"s -s benchmarks/ingest/otlp-protobuf.lua "$url" > "$work/side.out" ;;
    grpc) h2load -c8 -m1 -t2 -D "$2" -d "$work/otlp-512-spans.grpc" -H 'content-type: application/grpc' \
            -H 'te: trailers' "http://127.0.0.1:$grpc_port/opentelemetry.proto.collector.trace.v1.TraceService/Export" \
            > "$work/side.out" ;;
  esac
  elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
  after=$(accepted)
  CALLS_PER_S=$(awk -v a="$after" -v b="$before" -v t="$elapsed" 'BEGIN { printf "%.0f", (a - b) / 2 / t }')
  echo "-- $1: $CALLS_PER_S calls/s ($((after - before)) events in $elapsed s)"
  grep -E "Requests/sec|Non-2xx|req/s|status codes|failed" "$work/side.out" || true
}

side http "$(warmup 10s | tr -d s)" >/dev/null; side grpc "$(warmup 10s | tr -d s)" >/dev/null
http_total=0; grpc_total=0
for s in $(abba_order http grpc); do
  side "$s" "$seconds"
  if [ "$s" = http ]; then http_total=$((http_total + CALLS_PER_S)); else grpc_total=$((grpc_total + CALLS_PER_S)); fi
done
record otlp-grpc "OTLP/HTTP protobuf" "$(abba_mean $http_total)" calls/s
record otlp-grpc "OTLP/gRPC" "$(abba_mean $grpc_total)" calls/s "OTLP/HTTP protobuf"
