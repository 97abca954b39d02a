# packages.sh - install the Debian packages the lab needs, without starting any daemon
# shellcheck shell=bash

LAB_PACKAGES="iproute2 util-linux openssh-server openssh-client docker.io containerd runc tini iptables
  procps jq curl docker-registry busybox-static etcd-server etcd-client apache2-utils openssl postgresql"

missing_packages() {
  local p
  for p in $LAB_PACKAGES; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"
  done
}

# policy-rc.d exiting 101 tells maintainer scripts not to start services (sshd,
# dockerd, docker-registry would otherwise come up in the root namespace)
with_policy_rc_d() {
  local f=/usr/sbin/policy-rc.d created='' rc=0
  if [ ! -e "$f" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$f" && chmod +x "$f" && created=1
  fi
  "$@" || rc=$?
  [ -z "$created" ] || rm -f "$f"
  return "$rc"
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# several lab instances may start at once: one apt run at a time (dpkg's own lock fails instead of waiting)
ensure_packages() {
  [ -z "$(missing_packages)" ] && return 0
  mkdir -p /run/lock
  (flock -w 900 9 || die "another lab instance has been installing packages for 15 minutes"; install_missing) 9>/run/lock/zke-lab-apt.lock
}

install_missing() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [ -n "${missing// /}" ] || return 0
  log "installing: $missing"
  # shellcheck disable=SC2086
  with_policy_rc_d apt_install $missing >&2 && return 0
  log "install failed; running apt-get update and retrying"
  apt-get update -q >&2
  # shellcheck disable=SC2086
  with_policy_rc_d apt_install $missing >&2
}
