#!/usr/bin/env bash
# CI: builds the image with podman on the stand-ins (stand-ins.sh), runs docker-compose.yml with
# podman-compose under its own project name and no .env, and checks the stack from outside through
# the published ports: both servers ready, discovery, an admin user added with
# `run --rm admin user:add`, auth restarted with the secrets kept. Always removes what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/containers/podman.sh
project=omnichat-ci-$$
export AUTH_PUBLISH=127.0.0.1:14000 MCP_PUBLISH=127.0.0.1:13000
export ISSUER=http://localhost:14000 RESOURCE_URL=http://localhost:13000/mcp
compose() { podman-compose --podman-args="--runtime runc --cgroup-manager=cgroupfs" -p "$project" -f docker-compose.yml "$@"; }
cleanup() { compose down -v >/dev/null 2>&1 || true; }
trap cleanup EXIT

started=$(date +%s)
podman build -q --network host --format docker -t omnichat-auth:local . >/dev/null
echo "image omnichat-auth:local: $(podman image inspect omnichat-auth:local --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"

# podman-compose 1.0 ignores depends_on conditions, so the order compose would keep is kept here.
compose up -d --no-deps init-secrets >/dev/null
podman wait "${project}_init-secrets_1" >/dev/null
compose up -d --no-deps postgres >/dev/null
for _ in $(seq 1 60); do podman exec "${project}_postgres_1" pg_isready -q -U omnichat -d omnichat && break; sleep 1; done
compose run --rm --no-deps migrate
compose up -d --no-deps auth >/dev/null
wait_ready() { for _ in $(seq 1 90); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "not ready: $1" >&2; compose logs >&2 || true; return 1; }
wait_ready "http://127.0.0.1:14000/readyz"
compose up -d --no-deps mcp >/dev/null
wait_ready "http://127.0.0.1:13000/readyz"
curl -fsS http://127.0.0.1:14000/.well-known/oauth-authorization-server | grep -q '"issuer":"http://localhost:14000"'
printf '%s' 'ci-container-passphrase-0123' | compose run --rm --no-deps -T admin user:add ci@example.com --password-stdin
compose restart auth >/dev/null
wait_ready "http://127.0.0.1:14000/readyz"
echo "stack: up, ready, discovery, user:add, auth restarted in $(( $(date +%s) - started )) s"
