#!/usr/bin/env bash
# Runs INSIDE a fresh network namespace (started by `unshare --net`): the only interface is this
# namespace's own loopback, so fd00:ec2::254 below is the emulator and never a real cloud.
# Usage: ipv6-in-netns.sh <repo> <out-dir> <config>
set -u
repo=$1 out=$2 config=$3

# Refuse to run anywhere but a fresh namespace: it must have no interface besides lo.
if [ "$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" != "lo " ]; then
  echo "not in a fresh network namespace; refusing" >&2
  exit 99
fi
ip link set lo up
ip addr add fd00:ec2::254/128 dev lo

node "$repo/bin/imds.js" serve --host fd00:ec2::254 --port 80 --config "$config" >"$out/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  grep -q 'listening' "$out/serve.log" 2>/dev/null && break
  sleep 0.05
done

cd "$out" || exit 98
# The client's default endpoint in IPv6 mode, as an SDK on an IPv6-only instance is configured.
unset AWS_EC2_METADATA_SERVICE_ENDPOINT
export AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6
for leaf in local-hostname ipv6 local-ipv4; do
  node "$repo/bin/imds.js" get "$leaf" >"$leaf.out" 2>"$leaf.err"
  echo $? >"$leaf.rc"
done
TOKEN=$(curl -s -g -X PUT "http://[fd00:ec2::254]/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
curl -s -g -H "X-aws-ec2-metadata-token: $TOKEN" "http://[fd00:ec2::254]/latest/meta-data/network/interfaces/macs/" >macs.out

kill -TERM "$server"
wait "$server"
echo "server exit $?" >>"$out/serve.log"
