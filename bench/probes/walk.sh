#!/usr/bin/env bash
# Figure 6's baseline: how a shell script reads the whole metadata tree, one curl after another
# (the same walk as `imds dump`: listings, `N=name` keys, meta-data and dynamic listed without a
# slash at the top). Prints the number of values read.
# Usage: walk.sh http://127.0.0.1:PORT
set -euo pipefail
base=$1
case $base in http://127.0.0.1:*) ;; *) echo "walk.sh: loopback URLs only" >&2; exit 2 ;; esac
token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600' "$base/latest/api/token")
count=0

walk() { # $1: a directory path ending in /
  local path=$1 entry listing
  listing=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" "$base$path")
  while IFS= read -r entry; do
    [ -z "$entry" ] && continue
    if [[ $entry =~ ^([0-9]+)= ]]; then
      walk "$path${BASH_REMATCH[1]}/"
    elif [[ $entry == */ ]]; then
      walk "$path$entry"
    elif [[ $path == /latest/ && ( $entry == meta-data || $entry == dynamic ) ]]; then
      walk "$path$entry/"
    elif curl -fsS -o /dev/null -H "X-aws-ec2-metadata-token: $token" "$base$path$entry"; then
      count=$((count + 1))
    fi
  done <<< "$listing"
}

walk /latest/
echo "$count"
