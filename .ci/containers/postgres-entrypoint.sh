#!/bin/sh
# CI scaffolding (postgres.Containerfile): first start initialises $PGDATA with POSTGRES_USER and
# its password (POSTGRES_PASSWORD or the file POSTGRES_PASSWORD_FILE names) and creates POSTGRES_DB;
# every start then runs the server listening on all addresses, password authentication required.
set -eu
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
password=${POSTGRES_PASSWORD:-}
if [ -z "$password" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then password=$(cat "$POSTGRES_PASSWORD_FILE"); fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "$password" ] || { echo "postgres stand-in: POSTGRES_PASSWORD(_FILE) is required" >&2; exit 1; }
  pwfile=$(mktemp)
  printf '%s' "$password" > "$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  [ "$db" = postgres ] || createdb -U "$user" -h /var/run/postgresql "$db"
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec "$@" -D "$PGDATA" -c listen_addresses='*'
