#!/bin/bash
# context.sh CTX REF - puts rootfs/ into the build context: the machine's etcd and
# etcdctl (must match the tag's version) and the shared libraries ldd says they need
set -euo pipefail
r=$1/rootfs
want=${2##*:v}
bins=(/usr/bin/etcd /usr/bin/etcdctl)
/usr/bin/etcd --version | grep -qx "etcd Version: $want" ||
  { echo "etcd on this machine is not $want: $(/usr/bin/etcd --version | head -n1)" >&2; exit 1; }
mkdir -p "$r/usr/local/bin"
cp "${bins[@]}" "$r/usr/local/bin/"
for lib in $(ldd "${bins[@]}" | grep -oE '/[^ :]+\.so[^ ]*' | sort -u); do
  cp -L --parents "$lib" "$r/"
done
