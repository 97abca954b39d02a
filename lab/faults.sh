# faults.sh - break and repair lab hosts, for reliability tests
# shellcheck shell=bash

need_running_host() {
  need_host "$1"
  [ -n "$(init_pid "$1")" ] || die "host $1 is not running (start-host $1)"
}

# stop the host's sshd listener; the host, its dockerd and open ssh sessions live on
sshd_stop() {
  local h=$1 ip
  need_running_host "$h"
  ip=$(host_ip "$h")
  # shellcheck disable=SC2016 # expanded inside the host
  in_host "$h" sh -c 'kill "$(cat /run/sshd.pid)"' || die "$h: sshd is not running"
  wait_for 10 bash -c "! timeout 1 bash -c 'exec 3<>/dev/tcp/$ip/22'" || die "$h: sshd still listens"
}

sshd_start() {
  local h=$1
  need_running_host "$h"
  ! sshd_listens "$(host_ip "$h")" || die "$h: sshd is already listening"
  in_host_clean "$h" "${SSHD_CMD[@]}" # daemonizes; reparented to the host's init
  wait_for 10 sshd_listens "$(host_ip "$h")" || die "$h: sshd did not start"
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
  p=$(cat "$ZLAB_ROOT/hosts/$h.unshare" 2>/dev/null || true)
  kill -KILL "$(init_pid "$h")"
  [ -z "$p" ] || wait_for 10 is_gone "$p" || die "$h: did not die"
  rm -f "$ZLAB_ROOT/hosts/$h.init" "$ZLAB_ROOT/hosts/$h.unshare"
}

# power on a killed host: same disk, same host key, fresh /run and /tmp
start_host_again() {
  local h=$1
  need_host "$h"
  [ -z "$(init_pid "$h")" ] || die "host $h is running"
  net_link "$h" up
  boot_hosts "$h"
}
