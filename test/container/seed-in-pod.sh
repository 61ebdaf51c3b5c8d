#!/bin/sh
# Runs INSIDE the application container of a pod created with `--network none`, next to the
# emulator sidecar: the pod's namespace has only `lo`, where the sidecar put 169.254.169.254, so
# the seed's lines reach the emulator and nothing else. Results land in /out for the test to read.
# Mounts: this repository's test/ at /test (read-only), an empty host folder at /out.
set -u
cd /out || exit 98

# Refuse to run anywhere but a namespace with no interface besides lo (before any client runs).
ip -o link show >/tmp/links || exit 97
names=
while IFS= read -r line; do
  rest=${line#*: }
  names="$names${rest%%:*} "
done </tmp/links
printf '%s' "$names" >links
if [ "$names" != "lo " ]; then
  echo "the pod's network namespace has interfaces besides lo ($names); refusing" >&2
  exit 99
fi

# The sidecar starts beside this container: wait (at most 30 s) until it accepts connections.
tries=0
until curl -s -o /dev/null --max-time 2 http://169.254.169.254/; do
  tries=$((tries + 1))
  if [ "$tries" -ge 300 ]; then
    echo "the sidecar never answered on 169.254.169.254:80" >&2
    exit 96
  fi
  sleep 0.1
done

. /test/seed/seed-lines.sh
echo ok >status
