#!/usr/bin/env bash
# Load test of ingest-service with wrk (Debian package `wrk`) against the embedded Kafka broker.
# Prints GET /health (the framework's ceiling), single events at 64 connections, and batches.
# Usage: benchmarks/run-ingest-benchmark.sh [duration, default 30s]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30s}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
./mvnw -q -B -pl embedded-infra,ingest-service -am package -DskipTests
./mvnw -q -B -pl embedded-infra dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=target/standalone.classpath
work=$(mktemp -d /tmp/sl-ingest-bench.XXXX)
kafka_port=29092
http_port=18080

java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" dev.streamlens.infra.StandaloneInfra \
  --data-dir "$work" --kafka-port $kafka_port --postgres-port 0 > "$work/infra.log" 2>&1 &
infra=$!
HTTP_PORT=$http_port KAFKA_BROKERS=127.0.0.1:$kafka_port java -Xmx1g -jar ingest-service/target/quarkus-app/quarkus-run.jar > "$work/ingest.log" 2>&1 &
ingest=$!
trap 'kill $ingest $infra 2>/dev/null || true; wait $ingest $infra 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$http_port/health" >/dev/null 2>&1 && break
  sleep 1
done
url="http://127.0.0.1:$http_port"
echo "== warm-up"
wrk -t2 -c64 -d10s -s benchmarks/ingest/single-request.lua "$url" >/dev/null
wrk -t2 -c8 -d5s -s benchmarks/ingest/batch.lua "$url" >/dev/null
echo "== GET /health (framework ceiling)"
wrk -t2 -c64 -d"$duration" --latency "$url/health"
echo "== POST /v1/llm/request, one event per call, 64 connections"
wrk -t2 -c64 -d"$duration" --latency -s benchmarks/ingest/single-request.lua "$url"
echo "== POST /v1/llm/events, 500 events per call (NDJSON), 8 connections"
wrk -t2 -c8 -d"$duration" --latency -s benchmarks/ingest/batch.lua "$url"
