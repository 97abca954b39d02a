# common.sh - settings and small helpers shared by every lab/*.sh (sourced by zlab.sh)
# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the other files

ZLAB_ROOT=${ZLAB_ROOT:-/srv/zlab}                # lab state; must not be under an overlaid dir
ZKE_LAB_CACHE=${ZKE_LAB_CACHE:-/var/cache/zke-lab} # survives `down` (registry storage)
NET=${ZLAB_NET:-10.77.0}                         # /24 that exists only inside the lab
BRNS=zlabnet                                     # netns holding the bridge br0
GW=$NET.254                                      # hosts' gateway: a black hole in zlabnet
REG=$NET.1:5000                                  # lab registry (root namespace, veth zlab0)
OVERLAY_DIRS="etc var opt root usr/local"        # copy-on-write per host
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "zlab: $*" >&2; }
die() { log "error: $*"; exit 1; }

host_index() { echo "${1#zlab}"; }
host_ip() { echo "$NET.$((10 + $(host_index "$1")))"; }
host_dir() { echo "$ZLAB_ROOT/hosts/$1"; }
valid_host() { [[ $1 =~ ^zlab[1-9][0-9]*$ ]] && [ -d "$(host_dir "$1")" ]; }
need_host() { valid_host "$1" || die "unknown host '$1' (hosts: $(hosts | tr '\n' ' '))"; }

# lab hosts, in index order
hosts() {
  local d
  for d in "$ZLAB_ROOT"/hosts/zlab*/; do [ -d "$d" ] && basename "$d"; done | sort -V
}

lab_is_up() { [ -e "/run/netns/$BRNS" ] || [ -d "$ZLAB_ROOT/hosts" ]; }
need_lab() {
  if [ ! -e "/run/netns/$BRNS" ] || [ ! -d "$ZLAB_ROOT/hosts" ]; then die "no lab is up (run: lab/zlab.sh up N)"; fi
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

# the PID in FILE, if that process is still running
live_pid() {
  local p
  p=$(cat "$1" 2>/dev/null) || return 0
  ! is_alive "$p" || echo "$p"
}

# root-namespace PID of a host's init (PID 1 of its PID namespace); empty when the host is down
init_pid() { live_pid "$ZLAB_ROOT/hosts/$1.init"; }

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
