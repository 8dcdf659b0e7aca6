#!/usr/bin/env bash
# The job submitter of docker-compose.yml. It submits the StreamLens job to the session cluster
# unless a job of that name already runs (so `docker compose up` twice does not run it twice), then
# watches the cluster and submits it again whenever the JobManager comes back without it: the
# session cluster has no high availability, so a restarted JobManager has forgotten every job.
#
# A submission restores, in this order:
#   - STREAMLENS_SAVEPOINT=<path>, if set (`flink run -s`): a job stopped with a savepoint for an
#     upgrade. It counts only at the first start of this container, and only when the job is not
#     running then: later submissions (after a JobManager restart, or when this container
#     restarts) resume from the checkpoints the job has taken since;
#   - otherwise the newest retained checkpoint under the job's --checkpoint-dir, which the job's
#     main (run here by `flink run`) finds itself with --resume-from-latest-checkpoint: the
#     checkpoint volume must be mounted in this container at the path the cluster uses;
#   - nothing, when there is no checkpoint yet (the first start).
#
# The watch stops (exit 0) once the job has ended for good (stopped with a savepoint, cancelled, or
# failed beyond its restarts): resubmitting then is the operator's call (`docker compose up -d
# job-submitter` starts this container again). A failed submission exits non-zero, for the
# container's restart policy to try again.
#
# Settings (environment): FLINK_JOBMANAGER (host:port of its REST API), STREAMLENS_SAVEPOINT,
# STREAMLENS_WATCH_INTERVAL (seconds between two looks at the cluster, default 10; 0 submits once
# and exits), STREAMLENS_JOB_JAR, STREAMLENS_SUBMITTER_STATE (where the used savepoint is noted).
# Arguments: the job's own, passed on to it.
set -euo pipefail

jobmanager="${FLINK_JOBMANAGER:-jobmanager:8081}"
jar="${STREAMLENS_JOB_JAR:-/opt/flink/usrlib/streamlens-job.jar}"
interval="${STREAMLENS_WATCH_INTERVAL:-10}"
savepoint_used="${STREAMLENS_SUBMITTER_STATE:-/tmp}/streamlens-savepoint-used"

# The value of a job option among the arguments (--name value or --name=value); fails when absent.
option_value() {
  local name=$1
  shift
  while (($#)); do
    case $1 in
      "$name="*) printf '%s\n' "${1#*=}"; return 0 ;;
      "$name") printf '%s\n' "${2:-}"; return 0 ;;
    esac
    shift
  done
  return 1
}

# GET a path of the JobManager's REST API (HTTP over bash's /dev/tcp: the Flink image needs no
# HTTP client): prints the body of a 200 answer, fails on anything else or after 10 seconds.
rest_get() {
  local response
  response=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n" "$2" "$0" "$1" >&3 && cat <&3' \
    "${jobmanager%:*}" "${jobmanager##*:}" "$1" 2>/dev/null) || return 1
  [[ $response == HTTP/1.?' 200'* ]] || return 1
  printf '%s\n' "${response#*$'\r\n\r\n'}"
}

# The states of the jobs named $job_name the JobManager knows, one a line; nothing when it knows
# none (a JobManager without HA knows none after a restart). Fails when the JobManager does not answer.
job_states() {
  local overview
  overview=$(rest_get /jobs/overview) || return 1
  # {"jobs":[{"jid":"...","name":"...",...,"state":"RUNNING",...,"tasks":{...}},...]}: one job a line.
  sed 's/{"jid"/\n{"jid"/g' <<<"$overview" | grep -F "\"name\":\"$job_name\"" \
    | sed -n 's/.*"state":"\([A-Z_]*\)".*/\1/p' || true
}

# Whether one of the states is not a terminal one (running, restarting, being cancelled, ...).
any_live() {
  [[ -n $1 ]] && grep -qvxE 'FAILED|CANCELED|FINISHED' <<<"$1"
}

# Says what the job will find under a local --checkpoint-dir: a missing directory means the volume
# is not mounted here, and the job would start without its state.
check_checkpoint_dir() {
  local path=${checkpoint_dir#file:}
  [[ $checkpoint_dir == file:* || $checkpoint_dir == /* ]] || return 0
  path=${path#//}
  if [[ ! -d $path ]]; then
    echo "WARNING: the checkpoint directory $path is not in this container (is its volume mounted?): the job starts without state" >&2
  fi
}

# STREAMLENS_SAVEPOINT unless this container has already looked at it; nothing otherwise.
savepoint_to_use() {
  if [[ -n ${STREAMLENS_SAVEPOINT:-} && "$(cat "$savepoint_used" 2>/dev/null || true)" != "$STREAMLENS_SAVEPOINT" ]]; then
    printf '%s\n' "$STREAMLENS_SAVEPOINT"
  fi
}

# Notes that STREAMLENS_SAVEPOINT has been looked at (in the container's own file system, which a
# restart keeps and a new container, e.g. one given another STREAMLENS_SAVEPOINT, does not).
savepoint_spent() {
  if [[ -n ${STREAMLENS_SAVEPOINT:-} ]]; then
    printf '%s\n' "$STREAMLENS_SAVEPOINT" >"$savepoint_used"
  fi
}

submit() {
  local savepoint
  savepoint=$(savepoint_to_use)
  if [[ -n $savepoint ]]; then
    echo "Submitting $job_name from the savepoint $savepoint"
    # Not also --resume-from-latest-checkpoint: the job's own choice would override -s.
    env -u STREAMLENS_RESUME_FROM_LATEST_CHECKPOINT flink run -d -m "$jobmanager" -s "$savepoint" "$jar" "${job_args[@]}"
  else
    check_checkpoint_dir
    echo "Submitting $job_name: it resumes from the newest retained checkpoint under $checkpoint_dir, if there is one"
    flink run -d -m "$jobmanager" "$jar" "${job_args[@]}" --resume-from-latest-checkpoint
  fi
}

pause() {
  sleep "$interval" &
  wait $!
}

main() {
  job_args=("$@")
  job_name=$(option_value --job-name "$@" || printf '%s\n' "${STREAMLENS_JOB_NAME:-StreamLens metrics}")
  checkpoint_dir=$(option_value --checkpoint-dir "$@" || printf '%s\n' "${STREAMLENS_CHECKPOINT_DIR:-file:///tmp/streamlens/checkpoints}")
  trap 'exit 0' TERM INT

  local states waiting=no
  until states=$(job_states); do
    [[ $waiting == yes ]] || echo "Waiting for the JobManager at $jobmanager"
    waiting=yes
    [[ $interval != 0 ]] && pause || sleep 5
  done
  if any_live "$states"; then
    echo "$job_name is already running on $jobmanager"
  else
    submit
  fi
  savepoint_spent
  [[ $interval != 0 ]] || exit 0

  echo "Watching $job_name on $jobmanager every ${interval}s"
  local answering=yes
  while pause; do
    if ! states=$(job_states); then
      [[ $answering == no ]] || echo "The JobManager at $jobmanager does not answer: waiting for it"
      answering=no
      continue
    fi
    answering=yes
    if any_live "$states"; then
      continue
    elif [[ -n $states ]]; then
      echo "$job_name has ended ($(tr '\n' ' ' <<<"$states")): no longer watching (\`docker compose up -d job-submitter\` submits it again)"
      exit 0
    fi
    echo "The JobManager at $jobmanager knows no $job_name job (it restarted): submitting it again"
    submit
  done
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
