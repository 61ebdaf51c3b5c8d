#!/usr/bin/env bash
# Podman as it works on these machines (Debian 12, podman 4.3, cgroup v1, often itself inside a
# container): the default runtime crun and the systemd cgroup manager are refused, so runc and
# cgroupfs; raising the open-files and process limits is not permitted, so every container, a pod's
# infra container included, gets limits the host grants (containers.conf beside this script).
# `build` writes the Docker image format, which keeps HEALTHCHECK (the OCI format drops it).
# Every test and CI step goes through this one script.
#   scripts/container/podman.sh <podman arguments...>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for program in podman runc; do
  if ! command -v "$program" >/dev/null; then
    echo "podman.sh: $program is not installed (Debian: apt-get install -y podman runc)" >&2
    exit 127
  fi
done
export CONTAINERS_CONF="$here/containers.conf"
global=(--runtime runc --cgroup-manager=cgroupfs)
if [ "${1:-}" = build ]; then
  shift
  exec podman "${global[@]}" build --format docker "$@"
fi
exec podman "${global[@]}" "$@"
