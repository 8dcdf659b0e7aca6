#!/usr/bin/env bash
# One-shot submitter of docker-compose.yml: submits the StreamLens job to the session cluster unless
# a job of that name already runs (so `docker compose up` twice does not run it twice). A job
# stopped with a savepoint is resumed with STREAMLENS_SAVEPOINT=<path>.
set -euo pipefail
jobmanager="${FLINK_JOBMANAGER:-jobmanager:8081}"
if flink list -r -m "$jobmanager" 2>/dev/null | grep -q "StreamLens metrics"; then
  echo "StreamLens metrics is already running on $jobmanager"
  exit 0
fi
restore=()
if [ -n "${STREAMLENS_SAVEPOINT:-}" ]; then
  restore=(-s "$STREAMLENS_SAVEPOINT")
fi
exec flink run -d -m "$jobmanager" "${restore[@]}" /opt/flink/usrlib/streamlens-job.jar "$@"
