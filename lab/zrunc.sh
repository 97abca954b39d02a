#!/bin/bash
# zrunc - the lab hosts' default docker runtime: runc, minus impossible capabilities.
#
# This VM's capability bounding set lacks CAP_SYS_RESOURCE (CapBnd 000001fffeffffff).
# Docker 20.10 asks for every capability up to cap_last_cap for --privileged or
# --cap-add ALL, and plain runc then fails with "unable to apply caps: operation not
# permitted".  Before `runc create|run --bundle DIR`, remove from DIR/config.json every
# capability that is outside our bounding set, and raise a negative oomScoreAdj (the kubelet
# asks -998 for critical pods; lowering it needs CAP_SYS_RESOURCE) to 0.  `runc exec --process
# FILE` (docker/kubectl exec) gets the same capability filter on FILE.  Then exec the real runc.
set -u

# capability names in bit order (linux/capability.h)
CAPS=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
  LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
  SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
  SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
  MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
  CHECKPOINT_RESTORE)

# value of option NAME (--NAME X, --NAME=X, or SHORT X) in the arguments
opt_arg() {
  local name=$1 short=$2 prev='' a
  shift 2
  for a in "$@"; do
    case $prev in "--$name" | "$short") echo "$a" ;; esac
    case $a in "--$name="*) echo "${a#--"$name"=}" ;; esac
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

# fix_spec FILE PATH: an OCI config.json (PATH .process) or a runc exec process.json (PATH empty)
fix_spec() {
  local file=$1 proc=$2 drop
  drop=$(unavailable_caps | tr '\n' ' ')
  jq -c --arg drop "$drop" "
    (\$drop | split(\" \") | map(select(. != \"\"))) as \$d
    | if $proc.capabilities then
        $proc.capabilities |= map_values(map(select(. as \$c | \$d | index([\$c]) | not)))
      else . end
    | if ($proc.oomScoreAdj // 0) < 0 then $proc.oomScoreAdj = 0 else . end
  " "$file" > "$file.zrunc" && mv "$file.zrunc" "$file"
}

bundle=$(opt_arg bundle -b "$@" | tail -n1)
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  fix_spec "$bundle/config.json" .process
fi
process=$(opt_arg process -p "$@" | tail -n1)
if [ -n "$process" ] && [ -f "$process" ]; then
  fix_spec "$process" ""
fi
exec /usr/sbin/runc "$@"
