# Sourced by the CI container scripts: podman as this machine kind needs it (DESIGN.md "Containers").
podman() { command podman --runtime runc --cgroup-manager=cgroupfs "$@"; }
