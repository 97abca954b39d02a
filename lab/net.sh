# net.sh - the lab network: bridge br0 in its own netns, the root leg zlab0, one veth per host
# shellcheck shell=bash
#
# The bridge does NOT live in the root namespace: a dockerd in the root namespace
# (FORWARD policy DROP + bridge-nf-call-iptables=1) would drop host-to-host traffic
# crossing a root-namespace bridge.  In netns zlabnet no root iptables rule applies.

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
  ip link add zlab0 type veth peer name root-p netns "$BRNS"
  ip -n "$BRNS" link set root-p master br0 up
  sysctl -qw net.ipv6.conf.zlab0.disable_ipv6=1
  ip addr add "$NET.1/24" dev zlab0
  ip link set zlab0 up
}

# netns HOST with eth0 = 10.77.0.(10+K), plugged into br0 through veth HOST-p
net_add_host() {
  local h=$1 ip
  ip=$(host_ip "$h")
  [ -e "/run/netns/$h" ] && return 0 # kept across kill-host / start-host
  ip netns add "$h"
  ip link add "$h-p" type veth peer name eth0 netns "$h"
  ip link set "$h-p" netns "$BRNS"
  ip -n "$BRNS" link set "$h-p" master br0 up
  ip -n "$h" link set lo up
  ip -n "$h" addr add "$ip/24" dev eth0
  ip -n "$h" link set eth0 up
  ip -n "$h" route add default via "$GW"
}

# cut or restore a host's cable (its bridge port); the host keeps its address and routes
net_link() {
  ip -n "$BRNS" link set "$1-p" "$2"
}

# "up" or "down": the administrative state of the host's bridge port
net_link_state() {
  local flags
  flags=$(ip -n "$BRNS" -o link show "$1-p" 2>/dev/null | grep -o '<[^>]*>')
  [[ $flags =~ [\<,]UP[,\>] ]] && echo up || echo down
}

net_down() {
  local ns
  for ns in $(ip netns list | awk '/^zlab[0-9]+( |$)/ {print $1}'); do
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del zlab0 2>/dev/null || true
  ip netns del "$BRNS" 2>/dev/null || true
}
