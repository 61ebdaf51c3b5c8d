#!/bin/sh
# Entrypoint of the sidecar image (Containerfile target `sidecar`). The pod's containers share one
# network namespace: putting the real service's addresses on its `lo` makes every container in the
# pod reach this emulator at http://169.254.169.254, unmodified. Only the pod's own namespace is
# changed; needs CAP_NET_ADMIN (addresses) and CAP_NET_BIND_SERVICE (port 80). docs/containers.md
set -eu

if ! out=$(ip addr add 169.254.169.254/32 dev lo 2>&1); then
  case $out in
    *"File exists"*) ;; # a restarted sidecar finds its address still there
    *)
      echo "imds sidecar: cannot add 169.254.169.254/32 to lo ($out); the container needs the NET_ADMIN capability" >&2
      exit 1
      ;;
  esac
fi
# IPv6 is best effort: a pod may have IPv6 disabled. Serving it also needs IMDS_HOST=:: (see docs).
if ! out=$(ip addr add fd00:ec2::254/128 dev lo 2>&1); then
  case $out in
    *"File exists"*) ;;
    *) echo "imds sidecar: warning: fd00:ec2::254/128 not added to lo ($out); IPv6 clients will not reach the emulator" >&2 ;;
  esac
fi
ip link set lo up
exec node /opt/ec2-imds/bin/imds.js serve "$@"
