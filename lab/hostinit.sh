#!/bin/bash
# hostinit.sh HOST - PID 1 of a lab host.  Started by zlab.sh already inside the host's
# own net, uts, ipc, mount and PID namespaces.  It builds the host's private filesystem
# view, configures and starts sshd and dockerd as its children, then only waits and
# reaps.  Killing this process kills every process of the host (kernel rule for PID 1).
set -euo pipefail
LAB_DIR=$(dirname "$(readlink -f "$0")")
# shellcheck source=lab/common.sh
. "$LAB_DIR/common.sh"

H=$1
IP=$(host_ip "$H")
D=$(host_dir "$H")
TAG=$(mount_tag "$H") # names this host's mounts (e.g. zlab-zlab1, zl3-zlab-zlab1)

# A sysfs of this netns (so /sys/class/net lists only this host's NICs) that keeps the
# machine's cgroup v1 mounts: `ip netns exec` would lose them, and dockerd then dies
# with "Devices cgroup isn't mounted".
remount_sysfs_keep_cgroups() {
  mkdir -p "$D/.cg"
  mount --rbind /sys/fs/cgroup "$D/.cg"
  mount -t sysfs "$TAG-sys" /sys
  mount --move "$D/.cg" /sys/fs/cgroup
}

# Copy-on-write overlays over the dirs a host writes to (upper dirs under $D, which is
# outside every overlaid dir: overlay refuses an upperdir inside its lowerdir), fresh
# tmpfs for the volatile dirs, and ext4 bind mounts where docker and containerd keep
# their data (overlay2 cannot stack on overlayfs).
mount_private_fs() {
  local d
  for d in $OVERLAY_DIRS; do
    mkdir -p "$D/up/$d" "$D/work/$d"
    mount -t overlay "$TAG" -o "lowerdir=/$d,upperdir=$D/up/$d,workdir=$D/work/$d" "/$d"
  done
  mount -t tmpfs -o mode=755,size=512m "$TAG-run" /run
  mount -t tmpfs -o mode=1777,size=1g "$TAG-tmp" /tmp
  mount -t tmpfs -o mode=1777,size=256m "$TAG-shm" /dev/shm
  mkdir -p /run/sshd /run/lock /var/lib/docker /var/lib/containerd "$D/docker" "$D/containerd"
  mount --bind "$D/docker" /var/lib/docker
  mount --bind "$D/containerd" /var/lib/containerd
}

write_identity() {
  hostname "$H"
  echo "$H" > /etc/hostname
  etc_hosts > /etc/hosts
  : > /etc/resolv.conf # no DNS: nothing may leave the lab
}

# own ed25519 host key (generated on first boot only, so `start-host` keeps it),
# key-only root login on this host's address
configure_sshd() {
  if [ ! -f "$D/up/etc/ssh/ssh_host_ed25519_key" ]; then
    rm -f /etc/ssh/ssh_host_*
    ssh-keygen -q -t ed25519 -N '' -C "root@$H" -f /etc/ssh/ssh_host_ed25519_key
  fi
  cat > /etc/ssh/sshd_config.d/zlab.conf <<EOF
ListenAddress $IP:22
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
MaxStartups 100:30:200
MaxSessions 100
EOF
  mkdir -p /root/.ssh
  chmod 700 /root/.ssh
  install -m 600 "$ZLAB_ROOT/id_ed25519.pub" /root/.ssh/authorized_keys
  add_docker_user
}

# zke: a user in the docker group and nothing more (no sudo), RKE's usual node user, with the lab's key
add_docker_user() {
  id zke > /dev/null 2>&1 || useradd --no-create-home --home-dir /var/lib/zke-user --groups docker --shell /bin/sh zke
  install -d -m 700 -o zke -g zke /var/lib/zke-user /var/lib/zke-user/.ssh
  install -m 600 -o zke -g zke "$ZLAB_ROOT/id_ed25519.pub" /var/lib/zke-user/.ssh/authorized_keys
}

# the runc wrapper as default runtime; this instance's lab registries as insecure registries
# and as docker.io mirror, so a plain `docker pull zke/tools:v1` is served by the lab; the
# containers' cgroups in this host's own branch (not the machine-wide /docker)
configure_docker() {
  mkdir -p /etc/docker
  cat > /etc/docker/daemon.json <<EOF
{
  "runtimes": {"zrunc": {"path": "$ZLAB_ROOT/bin/zrunc"}},
  "default-runtime": "zrunc",
  "cgroup-parent": "$(host_cgroup "$H")",
  "insecure-registries": ["$REG", "$REG_AUTH"],
  "registry-mirrors": ["http://$REG"]
}
EOF
}

start_daemons() {
  "${SSHD_CMD[@]}" # daemonizes; reparented to this init
  /usr/sbin/dockerd >> /var/log/dockerd.log 2>&1 < /dev/null &
}

# PID 1 ignores signals it has no handler for: exit on TERM/INT (taking the host down)
supervise() {
  set +e
  trap 'echo "$H: init exits"; exit 0' TERM INT
  while :; do
    sleep 3600 &
    wait $!
  done
}

echo "$H: booting ($IP)"
remount_sysfs_keep_cgroups
mount_private_fs
write_identity
configure_sshd
configure_docker
# docker -v SRC:DST:shared (kubelet) needs SRC on a shared mount.  This mount namespace
# was created private, so nothing propagates to or from the real machine.
mount --make-rshared /
start_daemons
echo "$H: up"
supervise
