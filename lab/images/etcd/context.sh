#!/bin/bash
# context.sh CTX REF - puts rootfs/ into the build context: the machine's etcd and
# etcdctl (must match the tag's version) and the shared libraries ldd says they need
set -euo pipefail
r=$1/rootfs
want=${2##*:v}
bins=(/usr/bin/etcd /usr/bin/etcdctl)
# grep reads a captured string: piped, grep -q exits at the first match and etcd dies of SIGPIPE (pipefail)
have=$(/usr/bin/etcd --version)
grep -qx "etcd Version: $want" <<<"$have" ||
  { echo "etcd on this machine is not $want: $(head -n1 <<<"$have")" >&2; exit 1; }
mkdir -p "$r/usr/local/bin"
cp "${bins[@]}" "$r/usr/local/bin/"
for lib in $(ldd "${bins[@]}" | grep -oE '/[^ :]+\.so[^ ]*' | sort -u); do
  cp -L --parents "$lib" "$r/"
done
