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
ingest=""
trap 'kill $ingest $infra 2>/dev/null || true; wait $ingest $infra 2>/dev/null || true; rm -rf "$work"' EXIT
url="http://127.0.0.1:$http_port"

# Starts ingest-service with extra environment (KEY=VALUE ...), replacing a running one.
start_ingest() {
  if [ -n "$ingest" ]; then kill "$ingest"; wait "$ingest" 2>/dev/null || true; fi
  env HTTP_PORT=$http_port KAFKA_BROKERS=127.0.0.1:$kafka_port "$@" \
    java -Xmx1g -jar ingest-service/target/quarkus-app/quarkus-run.jar > "$work/ingest.log" 2>&1 &
  ingest=$!
  for _ in $(seq 1 120); do
    curl -fs "$url/health" >/dev/null 2>&1 && break
    sleep 1
  done
}

# Single events and batches, after a warm-up.
run_variant() {
  wrk -t2 -c64 -d10s -s benchmarks/ingest/single-request.lua "$url" >/dev/null
  wrk -t2 -c8 -d5s -s benchmarks/ingest/batch.lua "$url" >/dev/null
  echo "-- POST /v1/llm/request, one event per call, 64 connections"
  wrk -t2 -c64 -d"$duration" --latency -s benchmarks/ingest/single-request.lua "$url"
  echo "-- POST /v1/llm/events, 500 events per call (NDJSON), 8 connections"
  wrk -t2 -c8 -d"$duration" --latency -s benchmarks/ingest/batch.lua "$url"
}

echo "== baseline: no API keys, no rate limits"
start_ingest STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0
echo "-- GET /health (framework ceiling)"
wrk -t2 -c64 -d"$duration" --latency "$url/health"
run_variant

echo "== per-tenant rate limits on (a rate no call reaches: the bucket's cost, not its refusals)"
start_ingest STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=1000000000
run_variant

echo "== API keys and rate limits on (every call authenticated: SHA-256 of the key, constant-time lookup)"
key="bench-key-$RANDOM$RANDOM"
hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
printf '{"keys": [{"tenant_id": "acme", "sha256": "%s"}]}' "$hash" > "$work/keys.json"
start_ingest STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=1000000000 STREAMLENS_AUTH=api-key \
  STREAMLENS_API_KEYS_FILE="$work/keys.json"
export STREAMLENS_BENCH_KEY="$key"
run_variant
