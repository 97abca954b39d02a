#!/usr/bin/env bash
# Checks, as a user would, the smoke cluster of run.sh + addons.sh: nodes Ready, pods spread and talking
# across hosts (VXLAN), DNS, NodePort, kubectl top, and the ingress routing two paths to two services.
# Usage: [ZLAB_ID=N] bash lab/k8s/smoke/check.sh [v1.33.13]     (prints "N passed, N failed")
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../env.sh"
source "$here/lab.sh"
ver=${1:-v1.33.13}
k() { "$BUILD_CACHE/bin/kubernetes-$ver/kubectl" --kubeconfig "$ZLAB_ROOT/k8s-pki/admin-local.kubeconfig" "$@"; }
passed=0 failed=0
check() { # check NAME CMD...: retried for up to 120 s
  local name=$1 end=$((SECONDS + 120))
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then echo "FAIL $name"; failed=$((failed + 1)); return; fi
    sleep 3
  done
  echo "ok   $name"; passed=$((passed + 1))
}

nodes_ready() { [[ $(k get nodes --no-headers | grep -c ' Ready ') == 3 ]]; }
web_spread() { [[ $(k get pods -l app=web --field-selector=status.phase=Running -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u | wc -l) == 3 ]]; }
pod_to_pod() { # every web pod reaches every web pod by IP, each answering with its own name
  local from to name
  for from in $(k get pods -l app=web -o jsonpath='{.items[*].metadata.name}'); do
    while read -r name to; do
      k exec "$from" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 $to 8080" | grep -x "$name" >/dev/null || return 1
    done < <(k get pods -l app=web -o jsonpath='{range .items[*]}{.metadata.name} {.status.podIP}{"\n"}{end}')
  done
}
dns() {
  local pod ip
  pod=$(k get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
  ip=$(k get svc web -o jsonpath='{.spec.clusterIP}')
  k exec "$pod" -- nslookup -type=a web.default.svc.cluster.local | grep "Address: $ip" >/dev/null &&
    k exec "$pod" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 web 80" | grep '^web-' >/dev/null
}
node_port() { local i; for i in 11 12 13; do curl -sf -m 5 "http://$NET.$i:30080/" | grep '^web-' >/dev/null || return 1; done; }
top_nodes() { [[ $(k top nodes --no-headers | wc -l) == 3 ]]; }
ingress() {
  curl -sf -m 5 "http://$NET.12/alpha/" | grep '^alpha ' >/dev/null && curl -sf -m 5 "http://$NET.12/beta/" | grep '^beta ' >/dev/null
}

check "3 nodes Ready" nodes_ready
check "web pods Running on 3 different hosts" web_spread
check "pod-to-pod across hosts (flannel VXLAN)" pod_to_pod
check "ClusterIP service by name through CoreDNS" dns
check "NodePort 30080 on every node from the root namespace" node_port
check "kubectl top nodes (metrics-server)" top_nodes
check "ingress on zlab2: /alpha and /beta reach two services" ingress
echo "$passed passed, $failed failed"
((failed == 0))
