#!/usr/bin/env bash
# OTLP traces against the JSON batch call, same service, same run (wrk, Debian package `wrk`):
# POST /v1/traces with exports of 512 GenAI spans (an SDK's default batch) in protobuf and in
# OTLP/JSON, and POST /v1/llm/events with NDJSON batches of 500 events (250 calls), alternated.
# Compare LLM calls per second: one span is one call; a call is two events on the JSON path.
# Every connection sends one prepared body again and again (STREAMLENS_BENCH_FIXED_BODY=1, as the
# protobuf body is read from a file), so wrk's string building takes no CPU from the service.
# Usage: benchmarks/run-otlp-benchmark.sh [duration per run, default 20s]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20s}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
./mvnw -q -B -pl embedded-infra,ingest-service -am package -DskipTests
./mvnw -q -B -pl embedded-infra dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=target/standalone.classpath
work=$(mktemp -d /tmp/sl-otlp-bench.XXXX)
./mvnw -q -B -pl ingest-service dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$work/ingest.classpath"
java -cp "$(cat "$work/ingest.classpath")" benchmarks/ingest/OtlpProtobufBody.java "$work/otlp-512-spans.pb"
export STREAMLENS_OTLP_BODY="$work/otlp-512-spans.pb" STREAMLENS_BENCH_FIXED_BODY=1
kafka_port=29093
http_port=18081
java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" dev.streamlens.infra.StandaloneInfra \
  --data-dir "$work" --kafka-port $kafka_port --postgres-port 0 > "$work/infra.log" 2>&1 &
infra=$!
for _ in $(seq 1 120); do grep -q ready "$work/infra.log" && break; sleep 1; done
env HTTP_PORT=$http_port KAFKA_BROKERS=127.0.0.1:$kafka_port STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0 \
  java -Xmx1g -jar ingest-service/target/quarkus-app/quarkus-run.jar > "$work/ingest.log" 2>&1 &
ingest=$!
trap 'kill $ingest $infra 2>/dev/null || true; wait $ingest $infra 2>/dev/null || true; rm -rf "$work"' EXIT
url="http://127.0.0.1:$http_port"
for _ in $(seq 1 120); do curl -fs "$url/health" >/dev/null 2>&1 && break; sleep 1; done

json() { echo "-- JSON batch: POST /v1/llm/events, 500 events (250 calls) per call, 8 connections"
         wrk -t2 -c8 -d"$1" --latency -s benchmarks/ingest/batch.lua "$url"; }
otlp() { echo "-- OTLP/JSON: POST /v1/traces, 512 spans (512 calls) per export, 8 connections"
         wrk -t2 -c8 -d"$1" --latency -s benchmarks/ingest/otlp-json.lua "$url"; }
otlp_pb() { echo "-- OTLP protobuf: POST /v1/traces, 512 spans (512 calls) per export, 8 connections"
            wrk -t2 -c8 -d"$1" --latency -s benchmarks/ingest/otlp-protobuf.lua "$url"; }
json 15s >/dev/null; otlp 10s >/dev/null; otlp_pb 10s >/dev/null   # warm-up
json "$duration"; otlp_pb "$duration"; otlp "$duration"; otlp "$duration"; otlp_pb "$duration"; json "$duration"
