#!/usr/bin/env bash
# Runs INSIDE a fresh network namespace (started by `unshare --net`): the only interface is this
# namespace's own loopback, so 169.254.169.254 below is the emulator and never a real cloud.
# Usage: seed-in-netns.sh <repo> <out-dir> <http-tokens>
set -u
repo=$1 out=$2 mode=$3

# Refuse to run anywhere but a fresh namespace: it must have no interface besides lo.
if [ "$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" != "lo " ]; then
  echo "not in a fresh network namespace; refusing" >&2
  exit 99
fi
ip link set lo up
ip addr add 169.254.169.254/32 dev lo

node "$repo/bin/imds.js" serve --link-local --http-tokens "$mode" >"$out/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  grep -q 'listening' "$out/serve.log" 2>/dev/null && break
  sleep 0.05
done

cd "$out" || exit 98
. "$repo/test/seed/seed-lines.sh"

kill -TERM "$server"
wait "$server"
echo "server exit $?" >>"$out/serve.log"
