# registry.sh - Debian's docker-registry on $NET.1:5000, storage in the persistent cache
# (shared by every lab instance: each runs its own registry on the same directory)
# shellcheck shell=bash

REGISTRY_DATA=$ZKE_LAB_CACHE/registry

registry_pid() { live_pid "$ZLAB_ROOT/registry.pid"; }

registry_up() {
  mkdir -p "$REGISTRY_DATA"
  cat > "$ZLAB_ROOT/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $REGISTRY_DATA}
  delete: {enabled: true}
http:
  addr: $REG
EOF
  setsid docker-registry serve "$ZLAB_ROOT/registry.yml" > "$ZLAB_ROOT/registry.log" 2>&1 < /dev/null &
  echo $! > "$ZLAB_ROOT/registry.pid"
  registry_auth_up
}

# A second registry on the same storage, read-only, that answers only user `puller` with the password in
# registry-auth.password (htpasswd, bcrypt): what a site's authenticated registry is to zke.
REGISTRY_AUTH_USER=puller
registry_auth_up() {
  local password=$ZLAB_ROOT/registry-auth.password
  [ -s "$password" ] || (umask 077 && openssl rand -hex 16 > "$password")
  htpasswd -Bbn "$REGISTRY_AUTH_USER" "$(cat "$password")" > "$ZLAB_ROOT/registry-auth.htpasswd"
  cat > "$ZLAB_ROOT/registry-auth.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $REGISTRY_DATA}
  maintenance: {readonly: {enabled: true}}
http:
  addr: $REG_AUTH
auth:
  htpasswd: {realm: zlab, path: $ZLAB_ROOT/registry-auth.htpasswd}
EOF
  setsid docker-registry serve "$ZLAB_ROOT/registry-auth.yml" > "$ZLAB_ROOT/registry-auth.log" 2>&1 < /dev/null &
}

registry_answers() { curl_lab -fo /dev/null "http://$REG/v2/"; }

# answering, or dead (no use waiting then)
registry_settled() { registry_answers || [ -z "$(registry_pid)" ]; }

registry_auth_answers() {
  curl_lab -fo /dev/null -u "$REGISTRY_AUTH_USER:$(cat "$ZLAB_ROOT/registry-auth.password")" "http://$REG_AUTH/v2/"
}

registry_wait() {
  wait_for 20 registry_settled
  registry_answers || { tail -n 20 "$ZLAB_ROOT/registry.log" >&2; die "the registry does not answer on $REG"; }
  wait_for 20 registry_auth_answers ||
    { tail -n 20 "$ZLAB_ROOT/registry-auth.log" >&2; die "the password registry does not answer on $REG_AUTH"; }
}

# registry_has NAME:TAG - is the manifest in the lab registry?
registry_has() {
  local ref=$1
  curl_lab -fI -o /dev/null \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG/v2/${ref%:*}/manifests/${ref##*:}" 2>/dev/null
}

# "PID CONFIG" of each docker-registry process
registry_configs() {
  local p args
  for p in $(pgrep -x docker-registry); do
    mapfile -d '' args 2>/dev/null < "/proc/$p/cmdline" || continue
    [ "${#args[@]}" -eq 0 ] || echo "$p ${args[-1]}" # a zombie has no cmdline
  done
  return 0
}

# is CONFIG one of this lab's registry configs (the registry's, the password registry's)?
own_registry_config() { [ "$1" = "$ZLAB_ROOT/registry.yml" ] || [ "$1" = "$ZLAB_ROOT/registry-auth.yml" ]; }

# the registry processes serving this lab's configs
lab_registry_pids() {
  local p config
  registry_configs | while read -r p config; do
    ! own_registry_config "$config" || echo "$p"
  done
}

# registries of other lab instances, which use the same storage
shared_registry_pids() {
  local p config
  registry_configs | while read -r p config; do
    ! own_registry_config "$config" || continue
    ! grep -qF "rootdirectory: $REGISTRY_DATA}" "$config" 2>/dev/null || echo "$p"
  done
}

# by config, not by registry.pid: that PID may belong to another process by now
registry_down() {
  # shellcheck disable=SC2046 # a list of PIDs
  stop_pids 3 $(lab_registry_pids)
}
