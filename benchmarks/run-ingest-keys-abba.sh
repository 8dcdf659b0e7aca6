#!/usr/bin/env bash
# Usage: benchmarks/run-ingest-keys-abba.sh (after benchmarks/run-ingest-benchmark.sh has built the service and the infra classpath)
# ABBA: keys off / on / on / off, single events only, to see whether the keys' cost is real or drift.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/sl-abba.XXXX); kafka_port=29093; http_port=18081; url="http://127.0.0.1:$http_port"
java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" dev.streamlens.infra.StandaloneInfra \
  --data-dir "$work" --kafka-port $kafka_port --postgres-port 0 > "$work/infra.log" 2>&1 &
infra=$!; ingest=""
trap 'kill $ingest $infra 2>/dev/null || true; wait $ingest $infra 2>/dev/null || true; rm -rf "$work"' EXIT
key="bench-key-123"; hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
printf '{"keys": [{"tenant_id": "acme", "sha256": "%s"}]}' "$hash" > "$work/keys.json"
start() { if [ -n "$ingest" ]; then kill "$ingest"; wait "$ingest" 2>/dev/null || true; fi
  env HTTP_PORT=$http_port KAFKA_BROKERS=127.0.0.1:$kafka_port "$@" java -Xmx1g -jar ingest-service/target/quarkus-app/quarkus-run.jar > "$work/ingest.log" 2>&1 &
  ingest=$!; for _ in $(seq 1 120); do curl -fs "$url/health" >/dev/null 2>&1 && break; sleep 1; done; }
for mode in off on on off; do
  if [ $mode = on ]; then start STREAMLENS_AUTH=api-key STREAMLENS_API_KEYS_FILE="$work/keys.json"; export STREAMLENS_BENCH_KEY=$key
  else start; export STREAMLENS_BENCH_KEY=""; fi
  wrk -t2 -c64 -d8s -s benchmarks/ingest/single-request.lua "$url" >/dev/null
  echo "keys $mode: $(wrk -t2 -c64 -d15s --latency -s benchmarks/ingest/single-request.lua "$url" | grep -E 'Requests/sec|Non-2xx' | tr -s ' ' | tr '\n' ' ')"
done
