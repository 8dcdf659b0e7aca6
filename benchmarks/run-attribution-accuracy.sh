#!/usr/bin/env bash
# How right the top end users are when a tenant has 1,000,000 of them (docs/ATTRIBUTION.md): the
# job's pipeline over synthetic calls of Zipf-distributed users, one tenant's row summaries merged
# as the query service merges them, its top 100 against the exact figures. Exits non-zero if any
# figure lies outside its bounds or a user above the threshold is missing.
# Usage: benchmarks/run-attribution-accuracy.sh [pairs]   (default 1,000,000: 100,000 calls a tenant)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib.sh
build benchmarks
java -Xmx6g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  -cp "$bench_cp" dev.streamlens.bench.AttributionAccuracyReport "${1:-1000000}"
