#!/usr/bin/env bash
# How fast the dashboard shows a 30-day and a 24-hour view of a tenant with 20 series, in Debian's
# headless Chromium (apt-get install chromium chromium-driver), against an embedded PostgreSQL
# holding 30 days of minute rows (864,000) and their hours, written as the job writes them.
# Usage: benchmarks/run-dashboard-benchmark.sh [runs per view, default 7]   (RANGES="30d 24h", DAYS=30 of rows)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
runs="${1:-7}"
command -v chromedriver >/dev/null || { echo "chromium-driver is missing: apt-get install chromium chromium-driver" >&2; exit 1; }
build embedded-infra,query-service,benchmarks
pg_port=25434
http_port=18082
start_infra 0 $pg_port
jdbc="jdbc:postgresql://127.0.0.1:$pg_port/postgres"
start_service query-service $http_port STREAMLENS_JDBC_URL="$jdbc" STREAMLENS_ALERTS_KAFKA=false
java -cp "$bench_cp" dev.streamlens.bench.DashboardBenchmarkData "$jdbc" bench "${DAYS:-30}"
for range in ${RANGES:-30d 24h}; do
  # "30d: median figures shown 812 ms, median API calls alone 640 ms (1.27x)"
  java -cp "$bench_cp" dev.streamlens.bench.DashboardLoadBenchmark "http://127.0.0.1:$http_port" bench "$range" "$runs" \
    | tee "$work/dashboard-$range.txt"
  line=$(grep 'median figures shown' "$work/dashboard-$range.txt")
  record dashboard "$range view, API calls alone" "$(echo "$line" | sed -E 's/.*API calls alone ([0-9]+) ms.*/\1/')" ms
  record dashboard "$range view, figures shown" "$(echo "$line" | sed -E 's/.*figures shown ([0-9]+) ms.*/\1/')" ms \
    "$range view, API calls alone"
done
