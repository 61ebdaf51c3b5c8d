#!/usr/bin/env bash
# Builds a minimal local base image from THIS machine's own binaries, for machines that reach no
# container registry (the tests and CI here). The root filesystem holds the named programs, every
# shared library `ldd` lists for them, the dynamic loader, /bin/sh, CA certificates, a two-line
# /etc/passwd and a world-writable /tmp; `podman import` turns it into an image.
#
#   scripts/container/local-base.sh IMAGE PROGRAM...
#   scripts/container/local-base.sh localhost/ec2-imds-base:local node ip   # stands in for node:20-*
#   scripts/container/local-base.sh localhost/ec2-imds-tools:local curl ip  # the test's client
#
# Each PROGRAM is looked up on PATH and lands in /usr/local/bin of the image. Prints the image ID.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ]; then
  echo "usage: local-base.sh IMAGE PROGRAM..." >&2
  exit 2
fi
image=$1
shift

root=$(mktemp -d "${TMPDIR:-/tmp}/imds-rootfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,usr/local/bin,etc/ssl/certs,tmp,root,lib64}
chmod 1777 "$root/tmp"

copy_with_libs() { # $1 = absolute path of an ELF binary; $2 = where it goes inside the image
  local source=$1 target=$2
  mkdir -p "$root$(dirname "$target")"
  cp -L "$source" "$root$target"
  # `ldd` prints "name => /path (addr)" for libraries and "/path (addr)" for the loader.
  ldd "$source" | awk '/=> \//{print $3} /^\t\//{print $1}' | while read -r lib; do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

for program in "$@"; do
  path=$(command -v "$program") || {
    echo "local-base.sh: $program is not installed on this machine" >&2
    exit 1
  }
  copy_with_libs "$(readlink -f "$path")" "/usr/local/bin/$program"
done
copy_with_libs "$(readlink -f /bin/sh)" /bin/sh

ca=/etc/ssl/certs/ca-certificates.crt
[ -f "$ca" ] && cp -L "$ca" "$root$ca"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

tar --numeric-owner --owner=0 --group=0 -C "$root" -c . |
  "$here/podman.sh" import --quiet \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["/bin/sh"]' \
    - "$image" >/dev/null
"$here/podman.sh" image inspect --format '{{.Id}}' "$image"
