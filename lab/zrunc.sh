#!/bin/bash
# zrunc - the lab hosts' default docker runtime: runc, minus impossible capabilities.
#
# This VM's capability bounding set lacks CAP_SYS_RESOURCE (CapBnd 000001fffeffffff).
# Docker 20.10 asks for every capability up to cap_last_cap for --privileged or
# --cap-add ALL, and plain runc then fails with "unable to apply caps: operation not
# permitted".  Before `runc create|run --bundle DIR`, remove from DIR/config.json every
# capability that is outside our bounding set, then exec the real runc.
set -u

# capability names in bit order (linux/capability.h)
CAPS=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
  LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
  SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
  SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
  MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
  CHECKPOINT_RESTORE)

bundle_arg() {
  local prev='' a
  for a in "$@"; do
    case $prev in --bundle | -b) echo "$a" ;; esac
    case $a in --bundle=*) echo "${a#--bundle=}" ;; esac
    prev=$a
  done
}

unavailable_caps() {
  local bnd i
  bnd=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
  for i in "${!CAPS[@]}"; do
    ((bnd >> i & 1)) || echo "CAP_${CAPS[i]}"
  done
}

strip_caps() {
  local spec=$1 drop
  drop=$(unavailable_caps | tr '\n' ' ')
  [ -n "$drop" ] || return 0
  jq -c --arg drop "$drop" '
    ($drop | split(" ") | map(select(. != ""))) as $d
    | if .process.capabilities then
        .process.capabilities |= map_values(map(select(. as $c | $d | index([$c]) | not)))
      else . end
  ' "$spec" > "$spec.zrunc" && mv "$spec.zrunc" "$spec"
}

bundle=$(bundle_arg "$@" | tail -n1)
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  strip_caps "$bundle/config.json"
fi
exec /usr/sbin/runc "$@"
