#!/usr/bin/env bash
# Builds the image on a machine that reaches no container registry (the tests, CI, air-gapped
# hosts): a local base from this machine's node (standing in for the official Node image), the
# build context, then the Containerfile's two targets on top. Also a small tools image (curl, ip,
# sleep) that the tests use as the "application" container of a pod.
#
#   scripts/container/build-local.sh [NAME]      # NAME defaults to localhost/ec2-imds
#   -> NAME:serve  NAME:sidecar  NAME:base  NAME:tools
#
# Needs `npm run build` done first. Repeated builds reuse podman's layer cache.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
name=${1:-localhost/ec2-imds}
version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
ctx=$(mktemp -d "${TMPDIR:-/tmp}/imds-context.XXXXXX")
trap 'rm -rf "$ctx"' EXIT

"$here/local-base.sh" "$name:base" node ip >/dev/null
"$here/local-base.sh" "$name:tools" curl ip sleep >/dev/null
"$here/stage.sh" "$ctx" >/dev/null
for target in sidecar serve; do
  "$here/podman.sh" build --quiet --file "$repo/Containerfile" --target "$target" \
    --build-arg "BASE=$name:base" --build-arg "VERSION=$version" --tag "$name:$target" "$ctx" >/dev/null
done
echo "$name:serve $name:sidecar $name:base $name:tools"
