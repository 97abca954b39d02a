#!/usr/bin/env bash
# Builds a Debian bookworm rootfs (debootstrap minbase + a package list of versions.sh) into
# $BUILD_CACHE/rootfs/bookworm-<kind>-<hash>.tar. Kinds: node (BASE_PACKAGES: the tools kubelet, kube-proxy,
# cri-dockerd, flannel and the nginx proxy exec) and e2e (E2E_PACKAGES: the conformance suite's test images).
# The name includes a hash of the package list and of this script, so changing either makes a new tarball.
# Usage: bash lab/k8s/build-rootfs.sh [node|e2e]   (prints the tarball path)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
source "$here/versions.sh"

# The Debian mirror this machine's apt uses (a bookworm source that is not -security), unless DEBIAN_MIRROR says.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm( |\n|$)/ && !/bookworm-security/ {
      if (match($0, /URIs: *[^ \n]+/)) { split(substr($0, RSTART, RLENGTH), u, / +/); print u[2]; exit } }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk '$1 == "deb" && $0 !~ /\[/ && $3 == "bookworm" { print $2 } $1 == "deb" && $0 ~ /\[/ && $4 == "bookworm" { print $3 }' "$f"
  done
}
kind=${1:-node}
case $kind in
  node) packages=$BASE_PACKAGES ;;
  e2e) packages=$E2E_PACKAGES ;;
  *) echo "usage: build-rootfs.sh [node|e2e]" >&2; exit 2 ;;
esac
hash=$({ echo "$packages" | tr -s ' \n' '\n' | sort; cat "$0"; } | sha256sum | cut -c1-12)
tar="$BUILD_CACHE/rootfs/bookworm-$kind-$hash.tar"
if [[ -s $tar ]]; then echo "$tar"; exit 0; fi
mirror=${DEBIAN_MIRROR:-$(apt_mirror | sed -n 1p)}   # sed reads it all: no SIGPIPE under pipefail
[[ -n $mirror ]] || { echo "no bookworm source in /etc/apt: set DEBIAN_MIRROR to a Debian mirror's URL" >&2; exit 1; }
mkdir -p "$BUILD_CACHE/rootfs"
root=$(mktemp -d "$BUILD_CACHE/rootfs/tmp.XXXXXX")
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT
start=$SECONDS
if ! command -v debootstrap >/dev/null; then   # Debian's package; apt-get update only when the first try fails
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2 ||
    { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2; }
fi
debootstrap --variant=minbase bookworm "$root" "$mirror" >&2
# no maintainer script may start a daemon inside the chroot
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
# shellcheck disable=SC2086
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages >&2
umount "$root/proc"
chroot "$root" apt-get clean
# CNI plugins where kubelet/cri-dockerd look for them
mkdir -p "$root/opt/cni/bin"
for f in "$root"/usr/lib/cni/*; do ln -s "/usr/lib/cni/${f##*/}" "$root/opt/cni/bin/"; done
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root/usr/sbin/policy-rc.d" \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/var/log/*.log
: >"$root/etc/resolv.conf"
tar --numeric-owner -C "$root" -cf "$tar.tmp" .
mv "$tar.tmp" "$tar"
echo "rootfs: built in $((SECONDS - start)) s: $tar" >&2
echo "$tar"
