#!/usr/bin/env bash
# OTLP traces against the JSON batch call, same service, same run (wrk, Debian package `wrk`):
# POST /v1/traces with exports of 512 GenAI spans (an SDK's default batch) in protobuf and in
# OTLP/JSON, and POST /v1/llm/events with NDJSON batches of 500 events (250 calls), alternated.
# Compare LLM calls per second: one span is one call; a call is two events on the JSON path.
# Every connection sends one prepared body again and again (STREAMLENS_BENCH_FIXED_BODY=1, as the
# protobuf body is read from a file), so wrk's string building takes no CPU from the service.
# Usage: benchmarks/run-otlp-benchmark.sh [duration per run, default 20s]   (SL_WARMUP: warm-up per call)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
duration="${1:-20s}"
require_wrk
build embedded-infra,ingest-service
java -cp "$(cat ingest-service/target/module.classpath)" benchmarks/ingest/OtlpProtobufBody.java "$work/otlp-512-spans.pb"
export STREAMLENS_OTLP_BODY="$work/otlp-512-spans.pb" STREAMLENS_BENCH_FIXED_BODY=1
kafka_port=29093
http_port=18081
url="http://127.0.0.1:$http_port"
start_infra $kafka_port 0
start_service ingest-service $http_port KAFKA_BROKERS=127.0.0.1:$kafka_port STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0

# Each call's runs, to be averaged: calls per second (a JSON batch call is 250 LLM calls, an export 512).
json_runs=(); pb_runs=(); otlp_json_runs=()
json() { echo "-- JSON batch: POST /v1/llm/events, 500 events (250 calls) per call, 8 connections"
         wrk_run -t2 -c8 -d"$1" -s benchmarks/ingest/batch.lua "$url"; json_runs+=("$WRK_RATE * 250"); }
otlp() { echo "-- OTLP/JSON: POST /v1/traces, 512 spans (512 calls) per export, 8 connections"
         wrk_run -t2 -c8 -d"$1" -s benchmarks/ingest/otlp-json.lua "$url"; otlp_json_runs+=("$WRK_RATE * 512"); }
otlp_pb() { echo "-- OTLP protobuf: POST /v1/traces, 512 spans (512 calls) per export, 8 connections"
            wrk_run -t2 -c8 -d"$1" -s benchmarks/ingest/otlp-protobuf.lua "$url"; pb_runs+=("$WRK_RATE * 512"); }
mean() { awk "BEGIN { printf \"%.0f\", ($1 + $2) / 2 }"; }
json "$(warmup 15s)" >/dev/null; otlp "$(warmup 10s)" >/dev/null; otlp_pb "$(warmup 10s)" >/dev/null
json_runs=(); pb_runs=(); otlp_json_runs=()
json "$duration"; otlp_pb "$duration"; otlp "$duration"; otlp "$duration"; otlp_pb "$duration"; json "$duration"
record otlp "JSON batch" "$(mean "${json_runs[0]}" "${json_runs[1]}")" calls/s
record otlp "OTLP protobuf" "$(mean "${pb_runs[0]}" "${pb_runs[1]}")" calls/s "JSON batch"
record otlp "OTLP/JSON" "$(mean "${otlp_json_runs[0]}" "${otlp_json_runs[1]}")" calls/s "JSON batch"
