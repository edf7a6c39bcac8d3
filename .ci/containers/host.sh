#!/usr/bin/env bash
# CI SCAFFOLDING: makes this machine run containers (DESIGN.md "Containers"): Debian's podman with
# runc and cgroupfs (crun refuses the hybrid cgroups here) and no default ulimits, its network stack
# (netavark needs iptables), debootstrap for the stand-ins' base and docker-compose 1.29 (it honours
# depends_on conditions; podman-compose 1.0 does not), and curl for the readiness probes. Idempotent: a second run changes nothing.
set -euo pipefail
packages=(podman runc netavark aardvark-dns iptables debootstrap docker-compose curl)
missing=()
for package in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi

# A drop-in, so a containers.conf the machine already has is left as it is.
mkdir -p /etc/containers/containers.conf.d
cat > /etc/containers/containers.conf.d/50-omnichat-ci.conf <<'CONF'
# Written by omnichat's .ci/containers/host.sh (CI scaffolding).
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
# No journald here.
events_logger = "file"

[network]
network_backend = "netavark"
CONF
podman info --format 'podman {{.Version.Version}}: runtime {{.Host.OCIRuntime.Name}}, cgroups {{.Host.CgroupManager}}, network {{.Host.NetworkBackend}}'
