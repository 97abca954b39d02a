#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl for one
# Kubernetes version from the Go module proxy into $BUILD_CACHE/bin/kubernetes-<ver>/ (skipped when present).
# Usage: bash lab/k8s/build-kubernetes.sh v1.33.13
set -euo pipefail
ver=${1:?usage: build-kubernetes.sh vX.Y.Z}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
out="$BUILD_CACHE/bin/kubernetes-$ver"
cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
missing=0
for c in "${cmds[@]}"; do [[ -x "$out/$c" ]] || missing=1; done
if ((missing == 0)); then echo "kubernetes $ver: cached in $out"; exit 0; fi
[[ -f "$here/builder-$ver/go.mod" ]] || bash "$here/gen-builder.sh" "$ver"
ldflags=$(kube_ldflags "$ver")
mkdir -p "$out.tmp"
pkgs=(); for c in "${cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
start=$SECONDS
(cd "$here/builder-$ver" && nice -n 10 go build -p 2 -trimpath -tags selinux -ldflags "$ldflags" -o "$out.tmp/" "${pkgs[@]}")
rm -rf "$out" && mv "$out.tmp" "$out"
echo "kubernetes $ver: built in $((SECONDS - start)) s into $out"
