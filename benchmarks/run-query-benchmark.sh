#!/usr/bin/env bash
# Load test of query-service with wrk against an embedded PostgreSQL holding 24 hours of 1-minute
# rows for 1,000 series (1.44 million rows). Usage: [CONNECTIONS=8] benchmarks/run-query-benchmark.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30s}"
connections="${CONNECTIONS:-8}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
./mvnw -q -B -pl embedded-infra,query-service,benchmarks -am package -DskipTests
./mvnw -q -B -pl embedded-infra dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=target/standalone.classpath
work=$(mktemp -d /tmp/sl-query-bench.XXXX)
pg_port=25432
http_port=18081
day=$(date -u -d 'yesterday' +%Y-%m-%dT00:00:00Z)

java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" dev.streamlens.infra.StandaloneInfra \
  --data-dir "$work" --kafka-port 0 --postgres-port $pg_port > "$work/infra.log" 2>&1 &
infra=$!
trap 'kill $query $infra 2>/dev/null || true; wait $query $infra 2>/dev/null || true; rm -rf "$work"' EXIT
query=""
for _ in $(seq 1 120); do grep -q ready "$work/infra.log" && break; sleep 1; done
jdbc="jdbc:postgresql://127.0.0.1:$pg_port/postgres"
java -cp "benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)" dev.streamlens.bench.QueryBenchmarkData "$jdbc" "$day"

HTTP_PORT=$http_port STREAMLENS_JDBC_URL="$jdbc" java -Xmx1g -jar query-service/target/quarkus-app/quarkus-run.jar > "$work/query.log" 2>&1 &
query=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$http_port/health" >/dev/null 2>&1 && break; sleep 1; done
url="http://127.0.0.1:$http_port"
week_from=$(date -u -d "$day - 6 days" +%Y-%m-%dT%H:%M:%SZ)
month_from=$(date -u -d "$day - 29 days" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "$day + 1 day" +%Y-%m-%dT%H:%M:%SZ)
echo "== warm-up"
wrk -t2 -c16 -d10s -s benchmarks/query/seed.lua "$url" >/dev/null
FROM=$week_from TO=$to wrk -t2 -c16 -d10s -s benchmarks/query/rollup.lua "$url" >/dev/null
echo "== GET /health (framework ceiling)"
wrk -t2 -c"$connections" -d"$duration" --latency "$url/health"
echo "== seed call: GET /v1/metrics?tenant_id=X (60 newest rows), $connections connections"
wrk -t2 -c"$connections" -d"$duration" --latency -s benchmarks/query/seed.lua "$url"
echo "== 1-hour rollup over 7 days, one tenant, $connections connections"
FROM=$week_from TO=$to wrk -t2 -c"$connections" -d"$duration" --latency -s benchmarks/query/rollup.lua "$url"
echo "== cost per model per day over 30 days, one tenant, $connections connections"
FROM=$month_from TO=$to wrk -t2 -c"$connections" -d"$duration" --latency -s benchmarks/query/cost-by-model.lua "$url"
