#!/bin/bash
# context.sh CTX REF - puts rootfs/ into the build context: Debian's static busybox
# and one symlink per applet, plus the few files a shell image expects
set -euo pipefail
r=$1/rootfs
mkdir -p "$r/bin" "$r/etc" "$r/root" "$r/tmp" "$r/usr/bin"
cp /bin/busybox "$r/bin/busybox"
# `busybox --list` includes "busybox" itself: a symlink there would replace the binary
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$r/bin/$applet"
done
ln -s ../../bin/busybox "$r/usr/bin/env" # for `#!/usr/bin/env sh` scripts
chmod 1777 "$r/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
