# common.sh - settings and small helpers shared by every lab/*.sh (sourced by zlab.sh)
# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the other files

log() { echo "zlab: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Several labs may coexist: instance ZLAB_ID (0..9) has its own network, state dir,
# namespace and link names, registry and lock.  Instance 0 keeps the historic names.
ZLAB_ID=${ZLAB_ID:-0}
[[ $ZLAB_ID =~ ^[0-9]$ ]] || die "ZLAB_ID must be 0..9 (got '$ZLAB_ID')"
if [ "$ZLAB_ID" = 0 ]; then
  PFX=''          # prefix of this instance's netns, link and mount names
  ROOT_DEFAULT=/srv/zlab
  LOCK=/run/lock/zke-lab.lock
else
  PFX=zl$ZLAB_ID-  # netns zl3-zlabnet, zl3-zlab1; links zl3-zlab0, zl3-zlab1-p (< 16 chars)
  ROOT_DEFAULT=/srv/zlab-$ZLAB_ID
  LOCK=/run/lock/zke-lab-$ZLAB_ID.lock
fi
ZLAB_ROOT=${ZLAB_ROOT:-$ROOT_DEFAULT}            # lab state; must not be under an overlaid dir
ZKE_LAB_CACHE=${ZKE_LAB_CACHE:-/var/cache/zke-lab} # survives `down` (registry storage, shared by all instances)
NET=${ZLAB_NET:-10.77.$ZLAB_ID}                  # /24 that exists only inside the lab
BRNS=${PFX}zlabnet                               # netns holding the bridge br0
ROOT_LINK=${PFX}zlab0                            # the root namespace's leg into the lab
GW=$NET.254                                      # hosts' gateway: a black hole in $BRNS
REG=$NET.1:5000                                  # lab registry (root namespace, veth $ROOT_LINK)
REG_AUTH=$NET.1:5001                             # the same images, read-only, for a user with a password only
OVERLAY_DIRS="etc var opt root usr/local"        # copy-on-write per host
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

host_index() { echo "${1#zlab}"; }
host_ip() { echo "$NET.$((10 + $(host_index "$1")))"; }
host_dir() { echo "$ZLAB_ROOT/hosts/$1"; }
host_netns() { echo "$PFX$1"; }  # the netns of host zlabK
host_port() { echo "$PFX$1-p"; } # its veth end on the bridge (in $BRNS)
mount_tag() { echo "${PFX}zlab-$1"; } # source name of a host's own mounts
# the cgroup (in every v1 controller) under which the host's dockerd puts its containers: the
# machine's one cgroup tree is shared, so each host keeps its own branch, and `down` removes it
host_cgroup() { echo "/$(mount_tag "$1")"; }
valid_host() { [[ $1 =~ ^zlab[1-9][0-9]*$ ]] && [ -d "$(host_dir "$1")" ]; }
need_host() { valid_host "$1" || die "unknown host '$1' (hosts: $(hosts | tr '\n' ' '))"; }

# lab hosts, in index order
hosts() {
  local d
  for d in "$ZLAB_ROOT"/hosts/zlab*/; do [ -d "$d" ] && basename "$d"; done | sort -V
}

# awk function: is NAME one of this instance's netns ($PFX zlabnet or $PFX zlabK)?
# (pass -v pfx="$PFX").  Instance 0's names never match another instance's, and back.
AWK_OWN_NETNS='function own_netns(n) {
  return n == pfx "zlabnet" || (index(n, pfx "zlab") == 1 && substr(n, length(pfx) + 5) ~ /^[0-9]+$/)
}'

lab_is_up() { [ -e "/run/netns/$BRNS" ] || [ -d "$ZLAB_ROOT/hosts" ]; }
need_lab() {
  if [ ! -e "/run/netns/$BRNS" ] || [ ! -d "$ZLAB_ROOT/hosts" ]; then
    die "lab $ZLAB_ID is not up (run: ZLAB_ID=$ZLAB_ID lab/zlab.sh up N)"
  fi
}

# is PID running?  A zombie is not: it only waits for the machine's PID 1 (which reaps
# the lab's orphaned processes lazily, up to ~2 s later) to collect it.
is_alive() {
  local stat
  read -r stat 2>/dev/null < "/proc/$1/stat" || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}
is_gone() { ! is_alive "$1"; }

# stop_pids SECONDS PID...: TERM each, KILL what is still there after SECONDS
stop_pids() {
  local grace=$1 p
  shift
  for p in "$@"; do
    kill -TERM "$p" 2> /dev/null || true
    wait_for "$grace" is_gone "$p" || kill -KILL "$p" 2> /dev/null || true
  done
}

# the PID in FILE, if that process is still running
live_pid() {
  local p
  p=$(cat "$1" 2>/dev/null) || return 0
  ! is_alive "$p" || echo "$p"
}

# the inode of a netns file (/run/netns/NS, /proc/PID/ns/net); empty when it cannot be read
netns_inode() { stat -L -c %i "$1" 2>/dev/null || true; }

# root-namespace PID of a host's init (PID 1 of its PID namespace); empty when the host is down.
# PIDs wrap (pid_max may be 32768), so the recorded one counts only while it runs in the host's netns.
init_pid() {
  local p ns
  p=$(live_pid "$ZLAB_ROOT/hosts/$1.init")
  ns=$(netns_inode "/run/netns/$(host_netns "$1")")
  [ -n "$p" ] && [ -n "$ns" ] && [ "$(netns_inode "/proc/$p/ns/net")" = "$ns" ] && echo "$p"
  return 0
}

# run a command inside a host's namespaces (net, uts, ipc, mount, pid) without ssh
in_host() {
  local h=$1 p
  shift
  p=$(init_pid "$h")
  [ -n "$p" ] || die "host $h is not running"
  nsenter -t "$p" -n -u -i -m -p -- "$@"
}

# same, with the clean environment a daemon on a real host would get
in_host_clean() {
  local h=$1
  shift
  in_host "$h" env -i PATH="$CLEAN_PATH" HOME=/root LANG=C.UTF-8 "$@"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds
wait_for() {
  local end=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.1
  done
}

curl_lab() { curl -sS --noproxy '*' --max-time 5 "$@"; }

# a host's /etc/hosts: every lab host by name
etc_hosts() {
  local h
  echo "127.0.0.1 localhost"
  echo "::1 localhost ip6-localhost ip6-loopback"
  for h in $(hosts); do echo "$(host_ip "$h") $h"; done
}

# how sshd is started in a host (by its init, and again by `sshd-start`)
SSHD_CMD=(/usr/sbin/sshd -E /var/log/sshd.log)
