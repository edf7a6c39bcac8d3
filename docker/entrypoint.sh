#!/bin/sh
# The image's entry point: DATABASE_URL and KEY_ENCRYPTION_SECRET from the `secrets` volume that
# init-secrets fills (docker/init-secrets.mjs), unless the environment already sets them; then the
# command. Without the volume (plain `docker run` with its own environment) it only runs the command.
set -eu
dir=/run/omnichat-secrets
for pair in DATABASE_URL:database-url KEY_ENCRYPTION_SECRET:key-encryption-secret; do
  var=${pair%%:*}
  file=$dir/${pair#*:}
  eval "current=\${$var:-}"
  if [ -z "$current" ] && [ -r "$file" ]; then
    value=$(cat "$file")
    export "$var=$value"
  fi
done
exec "$@"
