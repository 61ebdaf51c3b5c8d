#!/usr/bin/env bash
# Prepares the build context of the Containerfile in build/container-context/ (or $1):
#   app/          the package exactly as `npm pack` publishes it, plus its production dependencies
#                 (npm ci --omit=dev from the lockfile: no devDependency reaches the image)
#   imds.yaml     the default configuration (serves the built-in instance)
#   sidecar.sh    the sidecar's entrypoint, healthcheck.cjs the HEALTHCHECK
# Built on the host, not in a build stage, because container builds here reach no registry; the
# host's npm cache serves the install. Run `npm run build` first (npm test does).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/scripts/container
ctx=${1:-$repo/build/container-context}
if [ ! -f "$repo/dist/cli-bundle/serve.js" ]; then
  echo "stage.sh: $repo/dist is not built; run npm run build first" >&2
  exit 1
fi
rm -rf "$ctx"
mkdir -p "$ctx/app"
cd "$repo"
tarball=$(npm pack --silent --ignore-scripts --pack-destination "$ctx" | tail -n 1)
tar -xzf "$ctx/$tarball" -C "$ctx/app" --strip-components=1
rm "$ctx/$tarball"
cp package-lock.json "$ctx/app/"
(cd "$ctx/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null)
rm "$ctx/app/package-lock.json"
cp "$here/sidecar.sh" "$here/healthcheck.cjs" "$here/imds.yaml" "$ctx/"
echo "$ctx"
