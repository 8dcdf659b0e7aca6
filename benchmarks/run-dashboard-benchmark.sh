#!/usr/bin/env bash
# How fast the dashboard shows a 30-day and a 24-hour view of a tenant with 20 series, in Debian's
# headless Chromium (apt-get install chromium chromium-driver), against an embedded PostgreSQL
# holding 30 days of minute rows (864,000) and their hours, written as the job writes them.
# Usage: benchmarks/run-dashboard-benchmark.sh [runs per view, default 7]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
command -v chromedriver >/dev/null || { echo "chromium-driver is missing: apt-get install chromium chromium-driver" >&2; exit 1; }
./mvnw -q -B -pl embedded-infra,query-service,benchmarks -am package -DskipTests
./mvnw -q -B -pl embedded-infra dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=target/standalone.classpath
work=$(mktemp -d /tmp/sl-dashboard-bench.XXXX)
pg_port=25433
http_port=18082
java -cp "embedded-infra/target/classes:$(cat embedded-infra/target/standalone.classpath)" dev.streamlens.infra.StandaloneInfra \
  --data-dir "$work" --kafka-port 0 --postgres-port $pg_port > "$work/infra.log" 2>&1 &
infra=$!
query=""
trap 'kill $query $infra 2>/dev/null || true; wait $query $infra 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do grep -q ready "$work/infra.log" && break; sleep 1; done
jdbc="jdbc:postgresql://127.0.0.1:$pg_port/postgres"
cp="benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath)"
# The query service applies the migrations at start; the data goes in once it is up.
HTTP_PORT=$http_port STREAMLENS_JDBC_URL="$jdbc" java -Xmx1g -jar query-service/target/quarkus-app/quarkus-run.jar > "$work/query.log" 2>&1 &
query=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$http_port/health" >/dev/null 2>&1 && break; sleep 1; done
java -cp "$cp" dev.streamlens.bench.DashboardBenchmarkData "$jdbc" bench
for range in ${RANGES:-30d 24h}; do
  java -cp "$cp" dev.streamlens.bench.DashboardLoadBenchmark "http://127.0.0.1:$http_port" bench "$range" "$runs"
done
