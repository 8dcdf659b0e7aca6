#!/usr/bin/env bash
# Single-event ingest, two builds of ingest-service against one embedded Kafka broker, ABBA order
# (A B B A), each beside GET /health and the batch call in the same slot: the ratio, not the absolute figure, is the result.
# Usage: benchmarks/run-ingest-before-after.sh <quarkus-app dir A> <quarkus-app dir B> [seconds per run, default 20]
# Settings per side: ENV_A / ENV_B="KEY=VALUE ..." (e.g. the same build twice with ENV_B=STREAMLENS_INGEST_PRODUCER_LINGER=10ms).
# (build each with `./mvnw -B -pl ingest-service -am package -DskipTests` and copy target/quarkus-app away;
#  the infra classpath comes from benchmarks/run-ingest-benchmark.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
app_a="$1"; app_b="$2"; seconds="${3:-20}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -f embedded-infra/target/standalone.classpath ] || \
  ./mvnw -q -B -pl embedded-infra dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=target/standalone.classpath
work=$(mktemp -d /tmp/sl-ingest-ab.XXXX); kafka_port=29094; http_port=18082; url="http://127.0.0.1:$http_port"
java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" dev.streamlens.infra.StandaloneInfra \
  --data-dir "$work" --kafka-port $kafka_port --postgres-port 0 > "$work/infra.log" 2>&1 &
infra=$!; ingest=""
trap 'kill $ingest $infra 2>/dev/null || true; wait $ingest $infra 2>/dev/null || true; rm -rf "$work"' EXIT
start() {
  if [ -n "$ingest" ]; then kill "$ingest"; wait "$ingest" 2>/dev/null || true; fi
  # shellcheck disable=SC2086 # word splitting of the KEY=VALUE list is intended
  env $2 HTTP_PORT=$http_port KAFKA_BROKERS=127.0.0.1:$kafka_port STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND=0 \
    java -Xmx1g -jar "$1/quarkus-run.jar" > "$work/ingest.log" 2>&1 &
  ingest=$!; for _ in $(seq 1 120); do curl -fs "$url/health" >/dev/null 2>&1 && break; sleep 1; done
}
summary() { grep -E 'Requests/sec|^ +99%|Non-2xx' | tr -s ' ' | tr '\n' ' '; }
for build in A B B A; do
  if [ $build = A ]; then start "$app_a" "${ENV_A:-}"; else start "$app_b" "${ENV_B:-}"; fi
  wrk -t2 -c64 -d8s -s benchmarks/ingest/single-request.lua "$url" >/dev/null   # warm-up
  echo "$build health: $(wrk -t2 -c64 -d"${seconds}s" --latency "$url/health" | summary)"
  echo "$build single: $(wrk -t2 -c64 -d"${seconds}s" --latency -s benchmarks/ingest/single-request.lua "$url" | summary)"
  echo "$build batch (calls of 500 events): $(wrk -t2 -c8 -d"${seconds}s" --latency -s benchmarks/ingest/batch.lua "$url" | summary)"
done
