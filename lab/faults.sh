# faults.sh - break and repair lab hosts, for reliability tests
# shellcheck shell=bash

need_running_host() {
  need_host "$1"
  [ -n "$(init_pid "$1")" ] || die "host $1 is not running (start-host $1)"
}

# stop the host's sshd listener; the host, its dockerd and open ssh sessions live on
sshd_stop() {
  local h=$1
  need_running_host "$h"
  # shellcheck disable=SC2016 # expanded inside the host
  in_host "$h" sh -c 'kill "$(cat /run/sshd.pid)"' || die "$h: sshd is not running"
  wait_sshd_gone "$h"
}

wait_sshd_gone() {
  wait_for 10 bash -c "! timeout 1 bash -c 'exec 3<>/dev/tcp/$(host_ip "$1")/22'" || die "$1: sshd still listens"
}

# sshd_stop, and every open ssh session cut too (its sshd processes killed): clients see their connection
# close at once. Prints how many sessions were cut.
sshd_kill() {
  local h=$1 listener sessions
  need_running_host "$h"
  listener=$(in_host "$h" cat /run/sshd.pid) || die "$h: sshd is not running"
  in_host "$h" kill -STOP "$listener" # no new session forks while the open ones are listed
  sessions=$(in_host "$h" pgrep -P "$listener" || true)
  in_host "$h" kill -KILL "$listener"
  # each session's processes (a privileged monitor and its unprivileged child): every one holds the connection;
  # a monitor whose child was just killed may be gone already (kill: No such process), which is what we want
  # shellcheck disable=SC2086 # a list of PIDs
  [ -z "$sessions" ] ||
    in_host "$h" sh -c 'for p in "$@"; do pkill -KILL -P "$p"; kill -KILL "$p" 2>/dev/null; done; true' - $sessions
  wait_sshd_gone "$h"
  echo "$h: sshd stopped, $(echo $sessions | wc -w) open session(s) cut"
}

sshd_start() {
  local h=$1
  need_running_host "$h"
  ! sshd_listens "$(host_ip "$h")" || die "$h: sshd is already listening"
  in_host_clean "$h" "${SSHD_CMD[@]}" # daemonizes; reparented to the host's init
  wait_for 10 sshd_listens "$(host_ip "$h")" || die "$h: sshd did not start"
}

# the lab's root address ($NET.1, where zke runs) may no longer reach HOST's sshd; BASTION (a lab host) still
# may, so zke reaches HOST only through BASTION. Dropped, as a firewall does: a direct try times out.
BASTION_RULE=(INPUT -p tcp --dport 22 -s "$NET.1" -j DROP -m comment --comment zlab-bastion-only)
bastion_only() {
  local h=$1 b=$2
  need_running_host "$h"
  need_running_host "$b"
  [ "$h" != "$b" ] || die "usage: bastion-only HOST BASTION (two different hosts)"
  in_host "$h" iptables -w -C "${BASTION_RULE[@]}" 2> /dev/null || in_host "$h" iptables -w -I "${BASTION_RULE[@]}"
  in_host "$b" timeout 5 bash -c "exec 3<>/dev/tcp/$(host_ip "$h")/22" || die "$b cannot reach $h's sshd"
}

# HOST's sshd reachable from everywhere again
bastion_off() {
  need_running_host "$1"
  while in_host "$1" iptables -w -D "${BASTION_RULE[@]}" 2> /dev/null; do :; done
}

# cut / restore the host's cable: packets to and from it are dropped (timeouts, not resets)
link_set() {
  need_host "$1"
  net_link "$1" "$2"
}

# power cut: PID 1 dies with every process of the host, and the cable goes down.
# The disk (overlay upper dirs, docker data) stays for start-host.
kill_host() {
  local h=$1 p
  need_running_host "$h"
  net_link "$h" down
  p=$(cat "$ZLAB_ROOT/hosts/$h.boot" 2>/dev/null || true)
  kill -KILL "$(init_pid "$h")"
  [ -z "$p" ] || wait_for 10 is_gone "$p" || die "$h: did not die"
  rm -f "$ZLAB_ROOT/hosts/$h.init" "$ZLAB_ROOT/hosts/$h.boot"
  # its containers' cgroups, empty now (the other hosts' kubelets would keep watching them)
  wait_for 30 remove_cgroups "$h" || log "$h: cgroups left: $(lab_cgroups "$h" | xargs)"
}

# power on a killed host: same disk, same host key, fresh /run and /tmp
start_host_again() {
  local h=$1
  need_host "$h"
  [ -z "$(init_pid "$h")" ] || die "host $h is running"
  net_link "$h" up
  boot_hosts "$h"
}

# The host's dockerd, as a root-namespace PID (a child of the host's init)
dockerd_pid() { pgrep -P "$(init_pid "$1")" -x dockerd || true; }

# stop the host's dockerd (its containers stop with it), run CMD... in the host, start dockerd again
restart_dockerd_around() {
  local h=$1 p rc=0
  shift
  p=$(dockerd_pid "$h")
  [ -z "$p" ] || kill -TERM "$p"
  [ -z "$p" ] || wait_for 60 is_gone "$p" || die "$h: dockerd did not stop"
  in_host "$h" "$@" || rc=$?
  # as the host's init starts it; setsid -f: reparented to that init
  # shellcheck disable=SC2016 # expanded inside the host
  in_host_clean "$h" setsid -f sh -c 'exec /usr/sbin/dockerd >> /var/log/dockerd.log 2>&1 < /dev/null'
  wait_for 60 docker_answers "$h" || die "$h: dockerd did not start again (see its /var/log/dockerd.log)"
  [ "$rc" = 0 ] || die "$h: $* failed"
}

docker_full_tag() { echo "$(mount_tag "$1")-dockerfull"; }
docker_disk_full() { in_host "$1" grep -qw -- "$(docker_full_tag "$1")" /proc/self/mountinfo; }

# Docker's data disk full: dockerd restarts on a SIZE tmpfs at /var/lib/docker (over the host's
# own data, which is hidden until disk-free), filled to the last byte, so pulls get ENOSPC
disk_full() {
  local h=$1 size=${2:-16m}
  need_running_host "$h"
  [[ $size =~ ^[1-9][0-9]*[kmg]$ ]] || die "usage: disk-full HOST [SIZE, e.g. 16m]"
  ! docker_disk_full "$h" || die "$h: the docker disk is already full (disk-free $h)"
  restart_dockerd_around "$h" mount -t tmpfs -o "size=$size,mode=711" "$(docker_full_tag "$h")" /var/lib/docker
  in_host "$h" sh -c 'cat /dev/zero > /var/lib/docker/zlab-fill' 2>/dev/null || true
  [ "$(in_host "$h" df --output=avail /var/lib/docker | tail -n1)" -eq 0 ] || die "$h: could not fill /var/lib/docker"
}

# the host's dockerd back on its own data root
disk_free() {
  local h=$1
  need_running_host "$h"
  docker_disk_full "$h" || die "$h: the docker disk is not full"
  restart_dockerd_around "$h" umount /var/lib/docker
}
