#!/usr/bin/env bash
# Builds busybox VERSION from upstream's source with upstream's default configuration, as Docker's busybox image
# (the one the conformance suite's busybox image is) has it, linked statically (the image holds nothing else),
# into $BUILD_CACHE/bin/busybox-VERSION/busybox;
# skipped when it is there. The source is the upstream tarball inside Debian SUITE's source package, from this
# machine's apt mirror. Debian's patches are left out: one makes ash drop environment variables whose names are
# not shell names (data-1, from envFrom), which upstream keeps and the suite's `sh -c env` specs expect.
# Usage: bash lab/k8s/build-busybox.sh VERSION SUITE   (e.g. 1.37.0 trixie)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
ver=$1 suite=$2
out="$BUILD_CACHE/bin/busybox-$ver"
[[ -x $out/busybox ]] && exit 0
mirror=${DEBIAN_MIRROR:-$(apt-cache policy | awk '$3 == "bookworm/main" { print $2; exit }')}
[[ -n $mirror ]] || { echo "no bookworm source in /etc/apt: set DEBIAN_MIRROR to a Debian mirror's URL" >&2; exit 1; }
work=$(mktemp -d "$BUILD_CACHE/busybox.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$work/sources.list"
apt=(apt-get -q -o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=/nonexistent
  -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
start=$SECONDS
"${apt[@]}" update >&2
(cd "$work" && "${apt[@]}" source --download-only busybox >&2)
orig="$work/busybox_$ver.orig.tar.bz2"
[[ -f $orig ]] || { echo "Debian $suite's busybox source is not $ver: $(cd "$work" && ls ./*.dsc)" >&2; exit 1; }
tar -C "$work" -xjf "$orig"
make -s -C "$work/busybox-$ver" defconfig >/dev/null
sed -i 's/^# CONFIG_STATIC is not set$/CONFIG_STATIC=y/' "$work/busybox-$ver/.config"
make -s -C "$work/busybox-$ver" -j"$(nproc)" busybox >&2
mkdir -p "$out" && cp "$work/busybox-$ver/busybox" "$out/busybox"
echo "busybox $ver built from source in $((SECONDS - start)) s" >&2
