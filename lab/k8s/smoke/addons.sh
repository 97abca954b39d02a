#!/usr/bin/env bash
# Applies flannel, CoreDNS, metrics-server, the ingress controller and the test workloads to the smoke
# cluster of run.sh, with the image tags of versions.sh. Usage: bash lab/k8s/smoke/addons.sh [v1.33.13] [FILE...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../env.sh"
source "$here/../versions.sh"
ver=${1:-v1.33.13}
shift || true
files=("$@")
((${#files[@]})) || files=(flannel web coredns metrics-server ingress)
source "$here/lab.sh"
pki=$ZLAB_ROOT/k8s-pki
sed "s#/etc/kubernetes/ssl#$pki#" "$pki/kube-admin.kubeconfig" >"$pki/admin-local.kubeconfig"
kubectl=("$BUILD_CACHE/bin/kubernetes-$ver/kubectl" --kubeconfig "$pki/admin-local.kubeconfig")
for f in "${files[@]}"; do
  sed -e "s#@CNI_IMAGE@#zke/flannel-cni-plugin:$FLANNEL_CNI_VERSION#" -e "s#@FLANNEL_IMAGE@#zke/flannel:$FLANNEL_VERSION#" \
    -e "s#@COREDNS_IMAGE@#zke/coredns:$COREDNS_VERSION#" -e "s#@METRICS_SERVER_IMAGE@#zke/metrics-server:$METRICS_SERVER_VERSION#" \
    -e "s#@INGRESS_IMAGE@#zke/ingress:v1#" "$here/$f.yaml" | "${kubectl[@]}" apply -f -
done
