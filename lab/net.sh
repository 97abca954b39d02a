# net.sh - the lab network: bridge br0 in its own netns, the root leg zlab0, one veth per host
# (names of instance ZLAB_ID > 0 carry its prefix $PFX: zl3-zlabnet, zl3-zlab0, zl3-zlab1, ...)
# shellcheck shell=bash
#
# The bridge does NOT live in the root namespace: a dockerd in the root namespace
# (FORWARD policy DROP + bridge-nf-call-iptables=1) would drop host-to-host traffic
# crossing a root-namespace bridge.  In netns $BRNS no root iptables rule applies.

in_netns() {
  local ns=$1
  shift
  nsenter --net="/run/netns/$ns" -- "$@"
}

net_up() {
  ip netns add "$BRNS"
  ip -n "$BRNS" link set lo up
  ip -n "$BRNS" link add br0 type bridge
  ip -n "$BRNS" link set br0 up
  ip -n "$BRNS" addr add "$GW/24" dev br0 # the hosts' gateway, which forwards nothing
  in_netns "$BRNS" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.disable_ipv6=1
  ip link add "$ROOT_LINK" type veth peer name root-p netns "$BRNS"
  ip -n "$BRNS" link set root-p master br0 up
  sysctl -qw "net.ipv6.conf.$ROOT_LINK.disable_ipv6=1"
  ip addr add "$NET.1/24" dev "$ROOT_LINK"
  ip link set "$ROOT_LINK" up
}

# netns of HOST with eth0 = $NET.(10+K), plugged into br0 through the veth $(host_port HOST)
net_add_host() {
  local h=$1 ip ns port
  ip=$(host_ip "$h")
  ns=$(host_netns "$h")
  port=$(host_port "$h")
  if [ -e "/run/netns/$ns" ]; then
    [ "$(stat -f -c %T "/run/netns/$ns")" != nsfs ] || return 0 # kept across kill-host / start-host
    log "$h: /run/netns/$ns is no network namespace (any more); making it again"
    ip netns del "$ns" 2>/dev/null || rm -f "/run/netns/$ns"
  fi
  ip netns add "$ns"
  ip link add "$port" type veth peer name eth0 netns "$ns"
  ip link set "$port" netns "$BRNS"
  ip -n "$BRNS" link set "$port" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$GW"
}

# cut or restore a host's cable (its bridge port); the host keeps its address and routes
net_link() {
  ip -n "$BRNS" link set "$(host_port "$1")" "$2"
}

# "up" or "down": the administrative state of the host's bridge port
net_link_state() {
  local flags
  flags=$(ip -n "$BRNS" -o link show "$(host_port "$1")" 2>/dev/null | grep -o '<[^>]*>')
  [[ $flags =~ [\<,]UP[,\>] ]] && echo up || echo down
}

# this instance's network namespaces: its hosts' ($PFX)zlabK, then the bridge's ($PFX)zlabnet
lab_netns() {
  # (stderr: a namespace another process is just adding cannot be read yet)
  ip netns list 2>/dev/null | awk -v pfx="$PFX" "$AWK_OWN_NETNS"'
    own_netns($1) && $1 != pfx "zlabnet" { print $1 }
    $1 == pfx "zlabnet" { bridge = $1 }
    END { if (bridge) print bridge }'
}

net_down() {
  local ns
  for ns in $(lab_netns); do ip netns del "$ns" 2>/dev/null || true; done
  ip link del "$ROOT_LINK" 2>/dev/null || true
}
