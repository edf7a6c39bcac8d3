#!/usr/bin/env bash
# CI's container step (.ci/run): the Dockerfile built and docker-compose.yml run for real, as a new
# user runs them, with no .env. This machine kind has no Docker engine and reaches no container
# registry, so: podman (host.sh) behind its Docker-compatible API for Debian's docker-compose, and
# local stand-ins for the two registry images (stand-ins.sh). Then, through the published ports:
# `docker compose run --rm admin user:add`, and a real browser's sign-in (test/stack.test.ts:
# discovery, registration, sign-in, token, tool calls, auth restarted with the refresh token still
# good, the image's user and read-only root). Then docs/operations.md's `docker compose run --rm
# admin backup` in the image against the compose Postgres, the file copied off and checked (and
# refused by `admin restore` into the live database). Last, every volume is lost and restored from
# the backups, secrets as the README says and the database by `admin restore`, and the whole stack
# must come back on them. Always removes what it started.
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
base_mb=$(podman image inspect node:22-trixie-slim --format '{{.Size}}' | awk '{printf "%.0f", $1/1e6}')
phase "image omnichat-auth:local built: ${image_mb} MB, of which ${base_mb} MB the node:22-trixie-slim stand-in, $((image_mb - base_mb)) MB the app and PostgreSQL 17's client"

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

# docs/operations.md "With docker compose", as written there: the backup by the image's pg_dump 17
# into the `backups` volume while the stack serves, copied off the machine with the documented cat,
# then checked here: the two tar entries, the manifest's schema (the newest migration), PostgreSQL
# 17 on both sides, the dump's SHA-256, a signing key. Restoring it into the live database, which
# is not empty, is refused. The file is restored for real at the end, into a new pgdata volume.
db_backup_dir=$(mktemp -d)
backup_name=omnichat-ci-$$.tar
backup_out=$(docker-compose run --rm -T admin backup --out "/backups/$backup_name" 2>&1) || { echo "admin backup failed: $backup_out" >&2; exit 1; }
grep -q "^backup written to /backups/$backup_name\$" <<<"$backup_out" || { echo "admin backup said: $backup_out" >&2; exit 1; }
docker-compose run --rm --no-deps -T --entrypoint cat admin "/backups/$backup_name" >"$db_backup_dir/$backup_name"
[ "$(tar -tf "$db_backup_dir/$backup_name" | tr '\n' ' ')" = "manifest.json database.pgdump " ] || { echo "backup entries: $(tar -tf "$db_backup_dir/$backup_name")" >&2; exit 1; }
tar -xOf "$db_backup_dir/$backup_name" manifest.json | MIGRATION=$(basename "$(find prisma/migrations -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1)") \
  SHA256=$(tar -xOf "$db_backup_dir/$backup_name" database.pgdump | sha256sum | cut -d' ' -f1) node -e '
    const manifest = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    const wrong = [];
    if (manifest.schemaMigration !== process.env.MIGRATION) wrong.push(`schema ${manifest.schemaMigration}, not ${process.env.MIGRATION}`);
    if (manifest.postgres.serverMajor !== 17 || !/^17\./.test(manifest.postgres.pgDumpVersion)) wrong.push(`postgres ${JSON.stringify(manifest.postgres)}`);
    if (manifest.dump.sha256 !== process.env.SHA256) wrong.push("dump sha256 differs from the manifest");
    if (manifest.signingKeys.length < 1) wrong.push("no signing key");
    if (wrong.length) { console.error(`backup manifest: ${wrong.join("; ")}`); process.exit(1); }'
if refused=$(docker-compose run --rm --no-deps -T admin restore --in "/backups/$backup_name" 2>&1); then
  echo "admin restore into the live database was not refused: $refused" >&2; exit 1
fi
grep -q 'database "omnichat" is not empty' <<<"$refused" || { echo "admin restore refused otherwise: $refused" >&2; exit 1; }
phase "docker-compose run --rm admin backup (pg_dump 17 in the image), copied off and checked; refused into the live database"

# The disaster drill of README "Run in production" and docs/operations.md "With docker compose": the secrets
# volume backed up as the README says, then every volume lost (secrets, pgdata, backups); the
# secrets restored, the database backup taken above put back and restored by the image's pg_restore
# 17 into the new, empty database, then the whole stack up again: init-secrets keeps the restored
# secrets, Postgres takes the password, auth opens its keys, and the user added above is there.
backup_dir=$(mktemp -d)
docker-compose run --rm --no-deps -v "$backup_dir:/backup" --entrypoint sh -u 0 init-secrets \
  -c 'tar -C /run/omnichat-secrets -czf /backup/omnichat-secrets.tgz .'
[ "$(tar -tzf "$backup_dir/omnichat-secrets.tgz" | sed 's|^\./||' | grep -v '^$' | sort | tr '\n' ' ')" = "database-url key-encryption-secret postgres-password " ]
docker-compose down >/dev/null 2>&1
podman volume rm "${COMPOSE_PROJECT_NAME}_secrets" "${COMPOSE_PROJECT_NAME}_pgdata" "${COMPOSE_PROJECT_NAME}_backups" >/dev/null
docker-compose run --rm --no-deps -v "$backup_dir:/backup" --entrypoint sh -u 0 init-secrets \
  -c 'tar -C /run/omnichat-secrets -xzf /backup/omnichat-secrets.tgz'
rm -rf "$backup_dir"
docker-compose run --rm --no-deps -T --entrypoint tee admin "/backups/$backup_name" <"$db_backup_dir/$backup_name" >/dev/null
rm -rf "$db_backup_dir"
docker-compose up -d --no-build postgres 2>&1 | grep -v '^$' | sed 's/^/  compose: /'
# Over TCP, as the apps connect: the image's first-start server listens on the socket only.
for _ in $(seq 1 60); do docker-compose exec -T postgres pg_isready -q -h 127.0.0.1 -U omnichat -d omnichat 2>/dev/null && break; sleep 1; done
restore_out=$(docker-compose run --rm --no-deps -T admin restore --in "/backups/$backup_name" 2>&1) || { echo "admin restore failed: $restore_out" >&2; exit 1; }
grep -q 'into database "omnichat"' <<<"$restore_out" || { echo "admin restore said: $restore_out" >&2; exit 1; }
docker-compose up -d --no-build 2>&1 | grep -v '^$' | sed 's/^/  compose: /'
wait_ready "$ISSUER/readyz"
wait_ready "http://127.0.0.1:$mcp_port/readyz"
init_log=$(docker-compose logs --no-color init-secrets)
grep -q 'POSTGRES_PASSWORD kept, KEY_ENCRYPTION_SECRET kept' <<<"$init_log" || { echo "init-secrets did not say kept: $init_log" >&2; exit 1; }
restored_users=$(docker-compose exec -T postgres psql -U omnichat -d omnichat -tAc "select count(*) from \"User\" where email = '$email'")
[ "$restored_users" = 1 ] || { echo "the restored database holds $restored_users user(s) $email" >&2; exit 1; }
phase "all volumes lost; secrets and database restored (admin restore, pg_restore 17 in the image), up again: secrets kept, the user back, both servers ready"

echo "container step: $(( $(date +%s) - step_started )) s (image ${image_mb} MB)"
