#!/usr/bin/env bash
# Runs INSIDE a fresh network namespace (started by `unshare --net`): the only interface is this
# namespace's own loopback. The upstream is an emulator on 127.0.0.1 here; the proxy listens on
# 169.254.169.254:80 (put on this namespace's lo), where the seed's curl lines go.
# Usage: proxy-in-netns.sh <repo> <out-dir> <http-tokens> <enforce>
set -u
repo=$1 out=$2 mode=$3 enforce=$4

if [ "$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" != "lo " ]; then
  echo "not in a fresh network namespace; refusing" >&2
  exit 99
fi
ip link set lo up
ip addr add 169.254.169.254/32 dev lo

wait_for() { for _ in $(seq 1 200); do grep -q 'listening' "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

node "$repo/bin/imds.js" serve --port 1338 --http-tokens "$mode" --attribution off >"$out/serve.log" 2>&1 &
server=$!
wait_for "$out/serve.log" || { cat "$out/serve.log" >&2; exit 97; }
node "$repo/bin/imds.js" proxy --host 169.254.169.254 --port 80 --upstream http://127.0.0.1:1338 \
  --enforce "$enforce" --request-log "$out/requests.jsonl" --attribution before --attribution-budget 100 \
  >"$out/proxy.log" 2>&1 &
proxy=$!
wait_for "$out/proxy.log" || { cat "$out/proxy.log" >&2; exit 96; }

cd "$out" || exit 98
# --- the seed's command lines, verbatim ---
TOKEN=`curl -X PUT "http://169.254.169.254/latest/api/token" \
  -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"` \
&& curl -H "X-aws-ec2-metadata-token: $TOKEN" \
    -v http://169.254.169.254/latest/meta-data/instance-id/ >instance-id.out 2>instance-id.err

TOKEN=`curl -X PUT "http://169.254.169.254/latest/api/token" \
  -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"` \
&& curl -H "X-aws-ec2-metadata-token: $TOKEN" \
  -v http://169.254.169.254/latest/meta-data/ >listing.out 2>listing.err

curl 169.254.169.254/latest/meta-data/instance-id/ >v1.out 2>v1.err
# --- end of the seed's lines ---

# A direct and a proxied crawl of the listing (with a token), whole responses compared; only the
# fields that count seconds may differ (Date, and the token's remaining TTL), as the two requests
# may straddle a second boundary.
same=0 differ=0
for entry in $(cat listing.out) ''; do
  for url in "http://127.0.0.1:1338/latest/meta-data/$entry" "http://169.254.169.254/latest/meta-data/$entry"; do
    curl -s -i -H "X-aws-ec2-metadata-token: $TOKEN" "$url" | grep -aiv -e '^Date: ' -e '^X-Aws-Ec2-Metadata-Token-Ttl-Seconds: ' >"crawl.$([ "${url#http://127}" = "$url" ] && echo proxied || echo direct)"
  done
  if cmp -s crawl.direct crawl.proxied; then same=$((same + 1)); else differ=$((differ + 1)); echo "differs: $entry" >>crawl.log; fi
done
echo "same=$same differ=$differ" >crawl.txt

kill -TERM "$proxy" "$server"
wait "$proxy" "$server"
node "$repo/bin/imds.js" audit "$out/requests.jsonl" --json >audit.json 2>audit.err
