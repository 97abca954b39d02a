# hosts.sh - boot lab hosts and write the client files (ssh_config, known_hosts, hosts.json)
# shellcheck shell=bash

# Boot HOST: its netns (if new), then its init as PID 1 of fresh uts/ipc/mount/PID
# namespaces.  setsid keeps it out of the caller's process group (a Ctrl-C or a test
# runner's kill must not take hosts down half-way); fds go to the host's log.  A small
# boot shell waits for the init and logs how it ended (exit status 137: SIGKILLed), so a
# host that dies is not a mystery.  HOST.boot holds the boot shell's PID.
start_host() {
  local h=$1 p
  mkdir -p "$(host_dir "$h")"
  net_add_host "$h"
  setsid bash -c 'h=$1; shift; "$@"; echo "$h: init ended (exit status $?)"' boot "$h" \
    nsenter --net="/run/netns/$(host_netns "$h")" -- \
    unshare --uts --ipc --mount --pid --fork --kill-child --propagation private --mount-proc -- \
    env -i PATH="$CLEAN_PATH" HOME=/root LANG=C.UTF-8 \
    ZLAB_ID="$ZLAB_ID" ZLAB_ROOT="$ZLAB_ROOT" ZLAB_NET="$NET" ZKE_LAB_CACHE="$ZKE_LAB_CACHE" \
    bash "$LAB_DIR/hostinit.sh" "$h" >> "$ZLAB_ROOT/hosts/$h.log" 2>&1 < /dev/null &
  p=$!
  echo "$p" > "$ZLAB_ROOT/hosts/$h.boot"
  wait_for 30 save_init_pid "$h" || die "$h: init did not start (see $ZLAB_ROOT/hosts/$h.log)"
}

# save_init_pid HOST: the init is the only child of unshare, itself the boot shell's only child.
# Found by parent PID (pgrep -P), not /proc/PID/task/PID/children, which the kernel documents as
# unreliable while processes fork: under load it came back empty and the host was taken for dead.
save_init_pid() {
  local boot unshare init
  boot=$(live_pid "$ZLAB_ROOT/hosts/$1.boot")
  [ -n "$boot" ] && unshare=$(pgrep -P "$boot" -x unshare | head -n1) && [ -n "$unshare" ] || return 1
  init=$(pgrep -P "$unshare" | head -n1)
  [ -n "$init" ] && echo "$init" > "$ZLAB_ROOT/hosts/$1.init"
}

sshd_listens() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/22" 2>/dev/null; }

# dockerd answers `docker info` (each try bounded; what the last try printed is kept in HOST.docker-info)
docker_answers() {
  local out=$ZLAB_ROOT/hosts/$1.docker-info
  if [ -z "$(init_pid "$1")" ]; then
    echo "the host's init is not running" > "$out"
    return 1
  fi
  in_host "$1" timeout 30 /usr/bin/docker info --format '{{.Name}}' > "$out" 2>&1
}
# docker_host HOST: a DOCKER_HOST for the host's dockerd from the root namespace: its socket, in the host's
# /run, seen through its init's root (a unix socket is reached by path, whatever the network namespace)
docker_host() {
  local p
  p=$(init_pid "$1")
  [ -n "$p" ] || die "host $1 is not running"
  echo "unix:///proc/$p/root/run/docker.sock"
}

# done waiting: dockerd answers, or the host is gone (no use waiting for it)
docker_answers_or_host_gone() { docker_answers "$1" || [ -z "$(init_pid "$1")" ]; }

# the host's boot: its init's PIDs as recorded, whether they run, and how the init ended
boot_report() {
  local h=$1 f
  for f in boot init; do
    f=$ZLAB_ROOT/hosts/$h.$f
    echo "${f##*/}: $(cat "$f" 2>/dev/null || echo none) $(is_alive "$(cat "$f" 2>/dev/null)" && echo running || echo 'not running')"
  done
  grep -h "init ended" "$ZLAB_ROOT/hosts/$h.log" | tail -n 1
  echo "machine: load $(cut -d' ' -f1-3 /proc/loadavg), $(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo) MiB available, $(ps -eL --no-headers | wc -l) tasks of pid_max $(cat /proc/sys/kernel/pid_max)"
  dmesg 2>/dev/null | grep -iE 'killed process|out of memory' | tail -n 3
}

# what a newcomer needs to see why HOST did not come up (the dockerd log without its gRPC chatter)
host_failed() {
  local h=$1 d
  d=$(host_dir "$h")
  log "$h: $2; last log lines:"
  (
    tail -n 20 "$ZLAB_ROOT/hosts/$h.log" "$d/up/var/log/sshd.log"
    echo "==> last 'docker info' <=="
    cat "$ZLAB_ROOT/hosts/$h.docker-info"
    echo "==> dockerd.log <=="
    grep -v '\[core\]' "$d/up/var/log/dockerd.log" | tail -n 15
    echo "==> boot <=="
    boot_report "$h"
    echo "==> processes <=="
    in_host "$h" ps -eo pid,stat,etime,time,args --width 160
  ) >&2 2>/dev/null || true
  return 1
}

# sshd accepts connections and dockerd answers `docker info`; the bounds are generous because a
# host added while other hosts run Kubernetes on the same two cores can take minutes
# (explicit returns: callers may test it, where `set -e` does not apply)
wait_host_ready() {
  local h=$1
  wait_for 120 sshd_listens "$(host_ip "$h")" || { host_failed "$h" "sshd is not listening"; return 1; }
  wait_for 300 docker_answers_or_host_gone "$h" || { host_failed "$h" "dockerd is not ready"; return 1; }
  [ -n "$(init_pid "$h")" ] || { host_failed "$h" "its init ended"; return 1; }
}

write_ssh_config() {
  local h
  for h in $(hosts); do printf 'Host %s\n  HostName %s\n' "$h" "$(host_ip "$h")"; done
  cat <<EOF
Host zlab* $NET.*
  User root
  Port 22
  IdentityFile $ZLAB_ROOT/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $ZLAB_ROOT/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
  LogLevel ERROR
EOF
}

# from the ed25519 key each host generated in its private /etc
write_known_hosts() {
  local h
  for h in $(hosts); do
    echo "$h,$(host_ip "$h") $(cut -d' ' -f1,2 "$(host_dir "$h")/up/etc/ssh/ssh_host_ed25519_key.pub")"
  done
}

write_hosts_json() {
  local h
  for h in $(hosts); do
    jq -cn --arg name "$h" --arg address "$(host_ip "$h")" '{name: $name, address: $address, user: "root", port: 22}'
  done | jq -s . > "$ZLAB_ROOT/hosts.json.tmp"
  mv "$ZLAB_ROOT/hosts.json.tmp" "$ZLAB_ROOT/hosts.json"
}

write_client_files() {
  write_ssh_config > "$ZLAB_ROOT/ssh_config"
  write_known_hosts > "$ZLAB_ROOT/known_hosts"
  write_hosts_json
}

# boot the hosts in parallel, then wait for all of them
boot_hosts() {
  local h
  for h in "$@"; do start_host "$h"; done
  for h in "$@"; do wait_host_ready "$h" || return 1; done
  write_client_files
}

# tell every running host about every other one
refresh_etc_hosts() {
  local h
  for h in $(hosts); do
    [ -n "$(init_pid "$h")" ] || continue
    etc_hosts | in_host "$h" sh -c 'cat > /etc/hosts'
  done
}

add_host() {
  local last h
  need_lab
  last=$(hosts | tail -n1)
  h=zlab$(($(host_index "${last:-zlab0}") + 1))
  mkdir -p "$(host_dir "$h")"
  if ! boot_hosts "$h"; then
    log "$h: did not come up; powering it off and booting it once more"
    [ -z "$(init_pid "$h")" ] || kill_host "$h"
    start_host_again "$h" || die "$h: did not come up twice (see above)"
  fi
  refresh_etc_hosts
  echo "$h $(host_ip "$h")"
}
