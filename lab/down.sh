# down.sh - tear this lab instance down and prove nothing of it is left.  Everything is
# matched by this instance's names only ($PFX, $ZLAB_ROOT, $ROOT_LINK): other instances live on.
# shellcheck shell=bash

# inodes of the lab's network namespaces ($PFX zlabnet, $PFX zlab1..N)
lab_netns_inodes() {
  local ns
  for ns in $(lab_netns); do netns_inode "/run/netns/$ns"; done
}

# Holds this instance's netns open until `down` exits.  The kernel gives a freed namespace's inode
# number to the next namespace created on the machine (another lab's container, say), and
# verify_down, which runs after net_down, would take that one's processes for this lab's.
pin_lab_netns() {
  local ns fd
  # shellcheck disable=SC2034 # fd stays open on purpose
  for ns in $(lab_netns); do exec {fd}< "/run/netns/$ns"; done
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

# mount points in the root namespace that are this instance's: under $ZLAB_ROOT, its
# netns files, or named after its hosts (source $PFX zlab-zlabK...)
lab_mounts() {
  awk -v root="$ZLAB_ROOT" -v pfx="$PFX" "$AWK_OWN_NETNS"'
    {
      for (i = 7; $i != "-"; i++);
      mp = $5
      ns = index(mp, "/run/netns/") == 1 ? substr(mp, 12) : ""
      if (mp == root || index(mp, root "/") == 1 || index($(i + 2), pfx "zlab-") == 1 || own_netns(ns)) print mp
    }' /proc/self/mountinfo
}

# PID 1 of each host first: when it dies the kernel kills its whole PID namespace
kill_lab_processes() {
  local inodes=$1 h p
  registry_down
  s3_down
  for h in $(hosts); do
    p=$(init_pid "$h")
    [ -z "$p" ] || kill -KILL "$p" 2>/dev/null || true
  done
  # Kill what is left until nothing is (a loaded machine with many pods needs more than one round).
  # shellcheck disable=SC2086
  wait_for 120 kill_remaining $inodes || true
}

# kill_remaining INODES...: SIGKILL the lab's remaining processes; true when there are none
kill_remaining() {
  local pids p
  pids=$(lab_pids "$@")
  [ -n "$pids" ] || return 0
  for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
  return 1
}

# The hosts' container cgroups: a host killed with its containers leaves their (empty) cgroup
# directories behind, and every kubelet in the lab would keep watching them
# (by name, as host_cgroup makes them: this instance's hosts only, also once $ZLAB_ROOT is gone).
# lab_cgroups [HOST]: all of them, or HOST's only.
lab_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"$(host_cgroup zlab)"*; do
    [[ -d $d && ${d##*-zlab} =~ ^[0-9]+$ ]] || continue
    if [ -z "${1:-}" ] || [ "${d##*/}" = "$(mount_tag "$1")" ]; then echo "$d"; fi
  done
}
# remove_cgroups [HOST]: the lab's cgroup branches (or HOST's); true once none is left (a cgroup
# whose last task is still exiting is busy for a moment)
remove_cgroups() {
  local d
  for d in $(lab_cgroups "$@"); do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
  [ -z "$(lab_cgroups "$@")" ]
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
  what=$(lab_cgroups | tr '\n' ' ')
  [ -z "$what" ] || { log "cgroups left: $what"; left=1; }
  what=$(s3_pids | tr '\n' ' ')
  [ -z "$what" ] || { log "s3 server left: $what"; left=1; }
  ! ip link show "$ROOT_LINK" > /dev/null 2>&1 || { log "link $ROOT_LINK left"; left=1; }
  [ ! -e "$ZLAB_ROOT" ] || { log "$ZLAB_ROOT left"; left=1; }
  return "$left"
}

# --purge deletes the registry storage, which other instances' registries may be serving
check_purge() {
  local users
  users=$(shared_registry_pids | xargs)
  [ -z "$users" ] || die "--purge: the registry cache is in use by another lab instance (registry PIDs $users)"
}

lab_down() {
  local purge=${1:-} inodes
  [ "$purge" != --purge ] || check_purge
  pin_lab_netns
  inodes=$(lab_netns_inodes | tr '\n' ' ')
  kill_lab_processes "$inodes"
  net_down
  unmount_leftovers
  wait_for 30 remove_cgroups || true
  rm -rf --one-file-system "$ZLAB_ROOT"
  if [ "$purge" = --purge ]; then
    rm -rf "$REGISTRY_DATA"
    rmdir "$ZKE_LAB_CACHE" 2>/dev/null || true
  fi
  verify_down "$inodes" || die "the lab is not completely down"
  log "lab $ZLAB_ID down${purge:+ (registry cache purged)}"
}
