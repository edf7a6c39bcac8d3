#!/usr/bin/env bash
# CI's container step (.ci/run): the Dockerfile built and docker-compose.yml run for real, as a new
# user runs them, with no .env. This machine kind has no Docker engine and reaches no container
# registry, so: podman (host.sh) behind its Docker-compatible API for Debian's docker-compose, and
# local stand-ins for the two registry images (stand-ins.sh). Then, through the published ports:
# `docker compose run --rm admin user:add`, and a real browser's sign-in (test/stack.test.ts:
# discovery, registration, sign-in, token, tool calls, auth restarted with the refresh token still
# good, the image's user and read-only root). Last, the whole stack is stopped and started again and
# must come back on the secrets it generated the first time. Always removes what it started.
# Needs Node 22, `pnpm install` and Chromium first (.ci/run does them).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "the container step installs podman and runs it rootful: run it as root (CI does)" >&2; exit 1; }
step_started=$(date +%s)
phase_started=$step_started
phase() { local now; now=$(date +%s); printf '  [%3d s] %s\n' "$((now - phase_started))" "$1"; phase_started=$now; }

bash .ci/containers/host.sh
bash .ci/containers/stand-ins.sh
phase "podman and the stand-ins"

# Free loopback ports for the two published ports (other processes share this machine).
read -r auth_port mcp_port < <(node -e "
  const net = require('node:net');
  const free = () => new Promise((ok) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });
  Promise.all([free(), free()]).then((ports) => console.log(ports.join(' ')));")
export COMPOSE_PROJECT_NAME=omnichat-ci-$$ COMPOSE_FILE=docker-compose.yml
export AUTH_PUBLISH=127.0.0.1:$auth_port MCP_PUBLISH=127.0.0.1:$mcp_port
export ISSUER=http://127.0.0.1:$auth_port RESOURCE_URL=http://127.0.0.1:$mcp_port/mcp
# Nothing sits between the test and the servers, so the readiness drain of a restart can be short.
export SHUTDOWN_DRAIN_SECONDS=1
# No .env: every secret comes from init-secrets. (compose reads .env from the project directory.)
[ ! -e .env ] || { echo "stack.sh runs the compose file as a fresh clone has it: move .env away first" >&2; exit 1; }

# podman's Docker-compatible API on a socket of this run's own, and the health checks it cannot
# schedule itself here (health-ticker.sh).
run_dir=$(mktemp -d /run/omnichat-ci.XXXXXX)
podman system service --time=0 "unix://$run_dir/podman.sock" >"$run_dir/service.log" 2>&1 &
service_pid=$!
bash .ci/containers/health-ticker.sh "$COMPOSE_PROJECT_NAME" &
ticker_pid=$!
export DOCKER_HOST=unix://$run_dir/podman.sock
cleanup() {
  status=$?
  cleanup_started=$(date +%s)
  if [ "$status" -ne 0 ]; then
    echo "container step failed; the stack's logs:" >&2
    docker-compose logs --no-color --tail=60 >&2 2>/dev/null || true
  fi
  docker-compose --profile tools down -v --remove-orphans >/dev/null 2>&1 || true
  kill "$ticker_pid" "$service_pid" 2>/dev/null || true
  wait "$ticker_pid" "$service_pid" 2>/dev/null || true
  rm -rf "$run_dir"
  # Build layers unused for a day; the newer ones are the next run's cache.
  podman image prune -f --filter until=24h >/dev/null 2>&1 || true
  echo "  cleanup: $(( $(date +%s) - cleanup_started )) s"
}
trap cleanup EXIT
for _ in $(seq 1 50); do [ -S "$run_dir/podman.sock" ] && break; sleep 0.1; done

# The image exactly as `docker compose build` builds it (--network host: the registries are reached
# through the host's proxy; --pull=never: only the local stand-ins).
podman build -q --pull=never --network host --format docker -t omnichat-auth:local . >/dev/null
image_mb=$(podman image inspect omnichat-auth:local --format '{{.Size}}' | awk '{printf "%.0f", $1/1e6}')
base_mb=$(podman image inspect node:22-bookworm-slim --format '{{.Size}}' | awk '{printf "%.0f", $1/1e6}')
phase "image omnichat-auth:local built: ${image_mb} MB, of which ${base_mb} MB the node:22-bookworm-slim stand-in, $((image_mb - base_mb)) MB the app"

wait_ready() {
  for _ in $(seq 1 120); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "not ready after 120 s: $1" >&2
  return 1
}
# `up` waits on the depends_on conditions: init-secrets done, postgres healthy, migrate done, auth healthy.
docker-compose up -d --no-build 2>&1 | grep -v '^$' | sed 's/^/  compose: /'
wait_ready "$ISSUER/readyz"
wait_ready "http://127.0.0.1:$mcp_port/readyz"
init_log=$(docker-compose logs --no-color init-secrets)
grep -q 'POSTGRES_PASSWORD generated, KEY_ENCRYPTION_SECRET generated' <<<"$init_log" || { echo "init-secrets did not say generated: $init_log" >&2; exit 1; }
phase "docker-compose up: every service up, both servers ready, secrets generated"

email=ci-$$@example.com
password=$(node -p "require('node:crypto').randomBytes(18).toString('base64url')")
printf '%s' "$password" | docker-compose run --rm -T admin user:add "$email" --password-stdin
phase "docker-compose run --rm admin user:add"

STACK_EMAIL=$email STACK_PASSWORD=$password pnpm exec vitest run --config .ci/containers/vitest.config.ts
phase "browser sign-in and tool calls through the published ports, auth restarted"

# The README's backup of the secrets volume; then the volume is lost, restored from that backup
# (README), and a later start must reuse the restored secrets: Postgres still takes the password,
# auth still opens its keys.
backup_dir=$(mktemp -d)
docker-compose run --rm --no-deps -v "$backup_dir:/backup" --entrypoint sh -u 0 init-secrets \
  -c 'tar -C /run/omnichat-secrets -czf /backup/omnichat-secrets.tgz .'
[ "$(tar -tzf "$backup_dir/omnichat-secrets.tgz" | sed 's|^\./||' | grep -v '^$' | sort | tr '\n' ' ')" = "database-url key-encryption-secret postgres-password " ]
docker-compose down >/dev/null 2>&1
podman volume rm "${COMPOSE_PROJECT_NAME}_secrets" >/dev/null
docker-compose run --rm --no-deps -v "$backup_dir:/backup" --entrypoint sh -u 0 init-secrets \
  -c 'tar -C /run/omnichat-secrets -xzf /backup/omnichat-secrets.tgz'
rm -rf "$backup_dir"
docker-compose up -d --no-build 2>&1 | grep -v '^$' | sed 's/^/  compose: /'
wait_ready "$ISSUER/readyz"
wait_ready "http://127.0.0.1:$mcp_port/readyz"
init_log=$(docker-compose logs --no-color init-secrets)
grep -q 'POSTGRES_PASSWORD kept, KEY_ENCRYPTION_SECRET kept' <<<"$init_log" || { echo "init-secrets did not say kept: $init_log" >&2; exit 1; }
phase "secrets backed up, volume lost and restored, down and up again: secrets kept, both servers ready on them"

echo "container step: $(( $(date +%s) - step_started )) s (image ${image_mb} MB)"
