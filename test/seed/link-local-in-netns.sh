#!/usr/bin/env bash
# Runs INSIDE a fresh network namespace (started by `unshare --net`): the only interface is this
# namespace's own loopback, so 169.254.169.254 and fd00:ec2::254 below are the emulator, never a
# real cloud. Starts `imds serve --link-local` with the given extra flags and reads both endpoints.
# Usage: link-local-in-netns.sh <repo> <out-dir> <with-ipv6-address: yes|no> [serve flags...]
set -u
repo=$1 out=$2 with_ipv6=$3
shift 3

# Refuse to run anywhere but a fresh namespace: it must have no interface besides lo.
if [ "$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" != "lo " ]; then
  echo "not in a fresh network namespace; refusing" >&2
  exit 99
fi
ip link set lo up
ip addr add 169.254.169.254/32 dev lo
if [ "$with_ipv6" = yes ]; then ip addr add fd00:ec2::254/128 dev lo nodad; fi

node "$repo/bin/imds.js" serve --link-local --log quiet "$@" >"$out/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do
  grep -q 'listening' "$out/serve.log" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.05
done
if ! kill -0 "$server" 2>/dev/null; then
  wait "$server"
  echo "server exit $?" >>"$out/serve.log"
  exit 0
fi

cd "$out" || exit 98
read_endpoint() { # <name> <base url>
  local token
  token=$(curl -s -g -m 5 -X PUT "$2/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
  echo $? >"$1.rc"
  curl -s -g -m 5 -H "X-aws-ec2-metadata-token: $token" "$2/latest/meta-data/instance-id" >"$1.out"
}
read_endpoint ipv4 "http://169.254.169.254"
read_endpoint ipv6 "http://[fd00:ec2::254]"

kill -TERM "$server"
wait "$server"
echo "server exit $?" >>"$out/serve.log"
