#!/bin/sh
# The jaeger-dependencies container's entrypoint (docker-compose.yaml): runs the image's own job,
# jaegertracing/spark-dependencies (/entrypoint.sh), for the current UTC day, again and again.
#
# Why a loop: the job computes the links of Jaeger's System Architecture tab (the parent -> child service calls of
# every trace stored that day) once, writes them to Cassandra's dependencies_v2 as the day's single row, and
# exits. Upstream runs it once a day; a workshop wants the tab to follow the load within minutes, so this reruns
# it every DEPENDENCIES_EVERY_S seconds after the previous run ends, each run overwriting the day's row.
#
# The heartbeat file is touched before every run: the container's healthcheck passes while a run started
# recently, so it is healthy from its first second, and it turns unhealthy when a run hangs (each run is also
# bounded by `timeout`). A failed run is logged and retried at the next turn: the loop never exits on its own.
#
# Environment: DEPENDENCIES_EVERY_S (seconds between runs), LAB_DEPENDENCIES_JOB (default /entrypoint.sh),
# LAB_DEPENDENCIES_HEARTBEAT (default /tmp/lab-dependencies.heartbeat), LAB_DEPENDENCIES_RUN_LIMIT_S (default 600).
set -u

every="${DEPENDENCIES_EVERY_S:-120}"
job="${LAB_DEPENDENCIES_JOB:-/entrypoint.sh}"
heartbeat="${LAB_DEPENDENCIES_HEARTBEAT:-/tmp/lab-dependencies.heartbeat}"
limit="${LAB_DEPENDENCIES_RUN_LIMIT_S:-600}"

case "$every" in
  '' | *[!0-9]*)
    echo "dependencies-loop: DEPENDENCIES_EVERY_S=$every: a whole number of seconds is needed (.env)" >&2
    exit 2
    ;;
esac

while :; do
  touch "$heartbeat"
  day=$(date -u +%F)
  echo "dependencies-loop: $(date -u +%FT%TZ): computing the links of $day"
  if timeout "$limit" "$job" "$day"; then
    echo "dependencies-loop: $(date -u +%FT%TZ): done; next run in ${every}s"
  else
    echo "dependencies-loop: $(date -u +%FT%TZ): the run failed (exit $?); next try in ${every}s" >&2
  fi
  sleep "$every"
done
