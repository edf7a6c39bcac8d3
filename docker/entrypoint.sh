#!/bin/sh
# The image's entry point: DATABASE_URL and KEY_ENCRYPTION_SECRET from the `secrets` volume that
# init-secrets fills (docker/init-secrets.mjs), unless the environment already sets them; then the
# command. Without the volume (plain `docker run`) the environment must carry DATABASE_URL: the
# image has no embedded Postgres (and a read-only root filesystem to keep one in), so with none the
# command is not run and one line says what to do.
set -eu
dir=${SECRETS_DIR:-/run/omnichat-secrets}
for pair in DATABASE_URL:database-url KEY_ENCRYPTION_SECRET:key-encryption-secret; do
  var=${pair%%:*}
  file=$dir/${pair#*:}
  eval "current=\${$var:-}"
  if [ -z "$current" ] && [ -r "$file" ]; then
    value=$(cat "$file")
    export "$var=$value"
  fi
done
if [ -z "${DATABASE_URL:-}" ]; then
  echo "omnichat: no DATABASE_URL: set it, or start with \`docker compose up\` (its init-secrets service writes $dir/database-url)" >&2
  exit 1
fi
exec "$@"
