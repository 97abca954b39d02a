# down.sh - tear the lab down and prove nothing of it is left
# shellcheck shell=bash

# inodes of the lab's network namespaces (zlabnet, zlab1..N)
lab_netns_inodes() {
  local f
  for f in /run/netns/zlab*; do [ -e "$f" ] && stat -L -c %i "$f"; done
  return 0
}

# the registry processes serving this lab's config
lab_registry_pids() {
  local p args
  for p in $(pgrep -x docker-registry); do
    mapfile -d '' args 2> /dev/null < "/proc/$p/cmdline" || continue
    [[ "${args[*]}" != *"$ZLAB_ROOT/"* ]] || echo "$p"
  done
  return 0
}

# "PID PPID" of every process
proc_parents() {
  cat /proc/[0-9]*/stat 2> /dev/null | sed -E 's/^([0-9]+) \(.*\) [A-Za-z] ([0-9]+) .*/\1 \2/'
}

# lab_pids [NETNS_INODES...]: every process the lab started, as root-namespace PIDs: the
# processes inside a lab netns (each host's init, sshd, dockerd, ...), the registry, and
# all their descendants (e.g. containers with their own netns).  Without arguments, the
# current lab netns are used.
lab_pids() {
  local inodes
  if [ $# -gt 0 ]; then inodes=" $* "; else inodes=" $(lab_netns_inodes | tr '\n' ' ') "; fi
  awk -v inodes="$inodes" -v registry=" $(lab_registry_pids | tr '\n' ' ') " '
    NR == FNR { split($1, path, "/"); if (index(inodes, " " $2 " ")) lab[path[3]] = 1; next }
    { parent[$1] = $2; if (index(registry, " " $1 " ")) lab[$1] = 1 }
    END {
      for (p in parent) {
        q = p
        while ((q in parent) && !(q in lab)) q = parent[q]
        if (q in lab) print p
      }
    }' <(stat -L -c '%n %i' /proc/[0-9]*/ns/net 2> /dev/null) <(proc_parents) | sort -n
}

# mount points in the root namespace whose path or source mentions zlab
lab_mounts() {
  awk '{ for (i = 7; $i != "-"; i++); if ($5 ~ /zlab/ || $(i + 2) ~ /zlab/) print $5 }' /proc/self/mountinfo
}
lab_netns() { ip netns list | awk '$1 ~ /^zlab/ {print $1}'; }

# PID 1 of each host first: when it dies the kernel kills its whole PID namespace
kill_lab_processes() {
  local inodes=$1 h p
  registry_down
  for h in $(hosts); do
    p=$(init_pid "$h")
    [ -z "$p" ] || kill -KILL "$p" 2>/dev/null || true
  done
  # shellcheck disable=SC2086
  for p in $(lab_pids $inodes); do kill -KILL "$p" 2>/dev/null || true; done
  # shellcheck disable=SC2086
  wait_for 10 test -z "$(lab_pids $inodes)" || true
}

unmount_leftovers() {
  local m
  for m in $(lab_mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
}

# report what is left; non-zero when anything is
verify_down() {
  local inodes=$1 left=0 what
  # shellcheck disable=SC2086
  what=$(lab_pids $inodes | tr '\n' ' ')
  [ -z "$what" ] || { log "processes left: $what"; left=1; }
  what=$(lab_netns | tr '\n' ' ')
  [ -z "$what" ] || { log "netns left: $what"; left=1; }
  what=$(lab_mounts | tr '\n' ' ')
  [ -z "$what" ] || { log "mounts left: $what"; left=1; }
  ! ip link show zlab0 > /dev/null 2>&1 || { log "link zlab0 left"; left=1; }
  [ ! -e "$ZLAB_ROOT" ] || { log "$ZLAB_ROOT left"; left=1; }
  return "$left"
}

lab_down() {
  local purge=${1:-} inodes
  inodes=$(lab_netns_inodes | tr '\n' ' ')
  kill_lab_processes "$inodes"
  net_down
  unmount_leftovers
  rm -rf --one-file-system "$ZLAB_ROOT"
  if [ "$purge" = --purge ]; then
    rm -rf "$REGISTRY_DATA"
    rmdir "$ZKE_LAB_CACHE" 2>/dev/null || true
  fi
  verify_down "$inodes" || die "the lab is not completely down"
  log "lab down${purge:+ (registry cache purged)}"
}
