#!/usr/bin/env bash
# CI SCAFFOLDING: podman runs a container's HEALTHCHECK from a systemd timer, and the CI machine has
# no systemd, so no check would ever run and compose's `condition: service_healthy` would wait for
# ever. This does the timer's work for one compose project: `podman healthcheck run` on each of its
# running containers, once per the container's own healthcheck interval (start period and retries
# are podman's). Runs until killed. Docker engines need none of this.
set -uo pipefail
project=$1
declare -A due
while :; do
  now=$(date +%s)
  for id in $(podman ps -q --filter "label=com.docker.compose.project=$project" 2>/dev/null); do
    [ "${due[$id]:-0}" -le "$now" ] || continue
    # Interval in nanoseconds; none for a container without a check (`healthcheck: disable: true`).
    interval=$(podman inspect --format '{{with .Config.Healthcheck}}{{if ne (index .Test 0) "NONE"}}{{json .Interval}}{{end}}{{end}}' "$id" 2>/dev/null || true)
    if [ -z "$interval" ]; then
      due[$id]=$((now + 86400))
      continue
    fi
    [ "$interval" -gt 0 ] 2>/dev/null || interval=30000000000
    due[$id]=$((now + interval / 1000000000))
    podman healthcheck run "$id" >/dev/null 2>&1 || true
  done
  sleep 1
done
