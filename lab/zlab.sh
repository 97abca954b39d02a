#!/bin/bash
# zlab.sh - the zke multi-host test lab: N "hosts" on this one Linux machine, each with
# its own network, hostname, filesystem view, PID space, sshd and dockerd, plus a
# docker registry.  Needs root.  See docs/lab.md.
#
#   up N                      create hosts zlab1..zlabN (10.77.ID.11..) and the registry
#   add-host                  add the next host to the running lab
#   down [--purge]            remove everything of this instance (--purge: the registry cache too)
#   packages                  install the Debian packages the lab needs (apt), when missing
#   status                    hosts, their daemons and links, the registry
#   ssh HOST [CMD...]         ssh root@HOST with the lab key
#   exec HOST CMD...          run CMD inside HOST's namespaces, without ssh
#   pids                      PIDs of every lab process (root namespace view)
#   s3                        start the lab's S3 server (versitygw, TLS, bucket zke) on 10.77.ID.1:7070;
#                             its endpoint, CA and credentials are in $ZLAB_ROOT/s3/env
#   images [--force]          build the test images on zlab1 and push them to the registry
#   build-image NAME:TAG DIR [--force]
#                             build DIR/Dockerfile (+ DIR/context.sh) on zlab1 and push it
#   docker-host HOST          print a DOCKER_HOST for HOST's dockerd (its socket, through /proc), so the
#                             docker CLI here uses it as a user's Docker (lab/k8s/build.sh does)
#   registry                  print the lab registry's host:port
#   sshd-stop HOST | sshd-start HOST   stop / restart a host's sshd (the host stays up)
#   sshd-kill HOST            stop a host's sshd and cut its open ssh sessions
#   link-down HOST | link-up HOST      cut / restore a host's network cable
#   bastion-only HOST BASTION | bastion-off HOST
#                             HOST's sshd reachable only from the lab host BASTION (not from here) / again from all
#   kill-host HOST | start-host HOST   power a host off (all its processes die) / on again
#   disk-full HOST [SIZE] | disk-free HOST
#                             restart a host's dockerd on a full SIZE (16m) data disk / on its own again
#
# Environment: ZLAB_ID (0..9, default 0): the lab instance; several coexist.  Instance ID
# has network 10.77.ID.0/24, registry 10.77.ID.1:5000, ZLAB_ROOT /srv/zlab (ID 0) or
# /srv/zlab-ID, netns/links zlabnet, zlabK, zlab0 (ID 0) or zlID-zlabnet, zlID-zlabK,
# zlID-zlab0, its own lock; host names are zlab1..N in every instance.
# ZLAB_ROOT overrides the state dir, ZKE_LAB_CACHE (/var/cache/zke-lab) holds the registry
# storage shared by all instances, ZLAB_KEEP_ON_FAIL=1 keeps a half-built lab for debugging.
set -euo pipefail
LAB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
for f in common packages net hosts registry images s3 down faults; do
  # shellcheck source=/dev/null
  . "$LAB_DIR/$f.sh"
done

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

check_zlab_root() {
  local d
  [[ $ZLAB_ROOT == /?* ]] || die "ZLAB_ROOT must be an absolute path"
  for d in $OVERLAY_DIRS; do
    [[ $ZLAB_ROOT/ != /$d/* ]] || die "ZLAB_ROOT must not be under /$d (it is overlaid in every host)"
  done
}

on_up_failure() {
  local rc=$?
  [ "$rc" -ne 0 ] || return 0
  if [ -n "${ZLAB_KEEP_ON_FAIL:-}" ]; then
    log "up failed; the partial lab is kept (ZLAB_KEEP_ON_FAIL)"
  else
    log "up failed; tearing the partial lab down"
    (lab_down) || true
  fi
  exit "$rc"
}

lab_up() {
  local n=${1:-} i
  [[ $n =~ ^[1-9][0-9]?$ ]] || die "usage: up N (1..99 hosts)"
  ! lab_is_up || die "lab $ZLAB_ID is already up ($ZLAB_ROOT, netns $BRNS); run: ZLAB_ID=$ZLAB_ID lab/zlab.sh down"
  check_zlab_root
  ensure_packages
  trap on_up_failure EXIT
  mkdir -p "$ZLAB_ROOT/hosts" "$ZLAB_ROOT/bin"
  install -m 755 "$LAB_DIR/zrunc.sh" "$ZLAB_ROOT/bin/zrunc"
  ssh-keygen -q -t ed25519 -N '' -C zlab-client -f "$ZLAB_ROOT/id_ed25519"
  raise_inotify_limits
  net_up
  registry_up
  for i in $(seq 1 "$n"); do mkdir -p "$(host_dir "zlab$i")"; done
  # shellcheck disable=SC2046
  boot_hosts $(hosts)
  registry_wait
  trap - EXIT
  log "lab $ZLAB_ID up: $(hosts | tr '\n' ' ')registry $REG; ssh -F $ZLAB_ROOT/ssh_config zlab1"
}

# Lab hosts share one kernel: its inotify limits (per user, all namespaces together) are the whole lab's.
# 25 kubelets used up the default 128 instances ("inotify_init: too many open files"); only ever raised.
raise_inotify_limits() {
  local key want have
  for key in fs.inotify.max_user_instances=8192 fs.inotify.max_user_watches=1048576; do
    want=${key#*=}
    have=$(sysctl -n "${key%=*}")
    [ "$have" -ge "$want" ] || sysctl -qw "$key"
  done
}

host_status() {
  local h=$1 p sshd=down docker=down link
  p=$(init_pid "$h")
  link=$(net_link_state "$h")
  if [ -n "$p" ]; then
    [ "$link" = up ] || sshd=unreachable
    ! sshd_listens "$(host_ip "$h")" || sshd=up
    ! docker_answers "$h" > /dev/null 2>&1 || docker=up
  fi
  echo "$h $(host_ip "$h") init=${p:-dead} sshd=$sshd docker=$docker link=$link"
}

lab_status() {
  local h state=down
  lab_is_up || { echo "lab $ZLAB_ID is not up"; return 1; }
  ! registry_answers 2> /dev/null || state=up
  echo "registry $REG pid=$(registry_pid) $state storage=$REGISTRY_DATA"
  for h in $(hosts); do host_status "$h"; done
}

# serialize the commands that change this lab instance (several engineers share this
# machine); flock -o: the daemons the command starts do not inherit the lock
locked() {
  [ -n "${ZLAB_LOCKED:-}" ] && return 0
  mkdir -p "$(dirname "$LOCK")"
  ZLAB_LOCKED=1 exec flock -o -w 900 "$LOCK" bash "${BASH_SOURCE[0]}" "$@"
}

main() {
  local cmd=${1:-}
  [ "$(id -u)" = 0 ] || die "the lab needs root"
  [ $# -gt 0 ] && shift
  case $cmd in
  up | add-host | down | images | build-image | kill-host | start-host | s3) locked "$cmd" "$@" ;;
  esac
  case $cmd in
  up) lab_up "$@" ;;
  add-host) add_host ;;
  down) [[ ${1:-} =~ ^(--purge)?$ ]] || usage; lab_down "${1:-}" ;;
  packages) ensure_packages ;;
  status) lab_status ;;
  pids) lab_pids ;;
  s3) s3_up ;;
  ssh) need_lab && need_host "${1:-}" && exec ssh -F "$ZLAB_ROOT/ssh_config" "$@" ;;
  exec) [ $# -ge 2 ] || usage; need_lab; need_host "$1"; in_host "$@" ;;
  images) ensure_packages && FORCE=${1:-} build_images ;;
  build-image) [ $# -ge 2 ] || usage; build_image "$1" "$(readlink -f "$2")" "${3:-}" ;;
  docker-host) need_lab && need_host "${1:-}" && docker_host "$1" ;;
  registry) need_lab && echo "$REG" ;;
  sshd-stop) sshd_stop "${1:-}" ;;
  sshd-kill) sshd_kill "${1:-}" ;;
  sshd-start) sshd_start "${1:-}" ;;
  link-down) link_set "${1:-}" down ;;
  link-up) link_set "${1:-}" up ;;
  bastion-only) bastion_only "${1:-}" "${2:-}" ;;
  bastion-off) bastion_off "${1:-}" ;;
  kill-host) kill_host "${1:-}" ;;
  start-host) start_host_again "${1:-}" ;;
  disk-full) disk_full "${1:-}" "${2:-}" ;;
  disk-free) disk_free "${1:-}" ;;
  *) usage ;;
  esac
}

main "$@"
