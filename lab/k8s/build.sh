#!/usr/bin/env bash
# zke's image recipe (`zke images build` runs it): builds Kubernetes and the rest from source and packages them
# as images: binaries from the Go module proxy (the cluster's and the conformance suite's) and Debian minbase
# rootfs tarballs, cached in $ZKE_LAB_CACHE/build (keyed by version), then images with the Docker the `docker`
# CLI reaches (DOCKER_HOST), pushed to a registry, skipping images it already has (lab/k8s/images.sh).
# Usage: bash lab/k8s/build.sh [--version v1.33.13]... [--all] [--binaries-only] [--force-images]
#          [--registry R | --local] [--image NAME:TAG]... [--no-conformance]
# Kubernetes: the versions named with --version, every version of the table with --all, else the ones npm test
# provisions (TEST_KUBERNETES_VERSIONS). The conformance suite (e2e.test, ginkgo and its test images) is built
# for the versions named with --version, else for the newest test version only (npm test's smoke slice runs on
# it; `npm run conformance` names its own); --no-conformance: not at all.
# Where the images go: --registry R (host[:port][/namespace], http:// or https://; docker login first), --local
# (they stay in the Docker, named zke/...), else the lab's: zlab1's Docker and the lab registry, as a user's
# (lab instance $ZLAB_ID; lab/zlab.sh up 1 first). --image: only those images (and their base).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
source "$here/versions.sh"
source "$here/images.sh"
source "$here/conformance-images.sh"
ZLAB=$here/../zlab.sh

usage() {
  echo "usage: build.sh [--version vX.Y.Z]... [--all] [--binaries-only] [--force-images]" \
    "[--registry R | --local] [--image NAME:TAG]... [--no-conformance]" >&2
  exit 2
}

versions=() binaries_only=0 all=0 conformance=1 destination=lab
while (($#)); do
  case $1 in
    --version) versions+=("$2"); shift 2 ;;
    --all) all=1; shift ;;
    --binaries-only) binaries_only=1; shift ;;
    --force-images) FORCE_IMAGES=1; shift ;;
    --registry) destination=registry IMAGES_REGISTRY=$2; shift 2 ;;
    --local) destination=local IMAGES_REGISTRY=; shift ;;
    --image) IMAGES_ONLY+=" $2"; shift 2 ;;
    --no-conformance) conformance=0; shift ;;
    *) usage ;;
  esac
done
conformance_versions=("${versions[@]}")
if ((${#versions[@]} == 0)); then
  read -ra versions <<<"$TEST_KUBERNETES_VERSIONS"
  conformance_versions=("${versions[-1]}")
  ((all == 0)) || read -ra versions <<<"$KUBERNETES_VERSIONS"
fi
((conformance)) || conformance_versions=()

start=$SECONDS
rootfs=$(bash "$here/build-rootfs.sh")
bash "$here/build-binaries.sh"
for v in "${versions[@]}"; do bash "$here/build-kubernetes.sh" "$v"; done
if ((${#conformance_versions[@]})); then
  e2e_rootfs=$(bash "$here/build-rootfs.sh" e2e)
  for v in "${conformance_versions[@]}"; do bash "$here/build-conformance.sh" "$v"; done
  bash "$here/build-busybox.sh" "$BUSYBOX_VERSION" "$BUSYBOX_SUITE"
fi
echo "binaries ready after $((SECONDS - start)) s"
((binaries_only)) && exit 0
if [[ $destination == lab ]]; then
  DOCKER_HOST=$(bash "$ZLAB" docker-host zlab1)
  IMAGES_REGISTRY=http://$(bash "$ZLAB" registry)
  export DOCKER_HOST
fi

base=$(base_image "$rootfs")
build_image "$base" base rootfs.tar="$rootfs"
B=$BUILD_CACHE/bin
build_image zke/pause:$PAUSE_VERSION pause "bin/pause=$B/pause-$PAUSE_VERSION/pause"
build_image "zke/cri-dockerd:$CRI_DOCKERD_TAG" cri-dockerd "bin/cri-dockerd=$B/cri-dockerd-$CRI_DOCKERD_VERSION/cri-dockerd"
build_image "zke/flannel:$FLANNEL_VERSION" flannel "bin/flanneld=$B/flanneld-$FLANNEL_VERSION/flanneld"
cni_files=("cni/flannel=$B/flannel-cni-$FLANNEL_CNI_VERSION/flannel" busybox=/bin/busybox)
for p in bridge loopback host-local portmap; do cni_files+=("cni/$p=$B/cni-plugins-$CNI_PLUGINS_VERSION/$p"); done
build_image "zke/flannel-cni-plugin:$FLANNEL_CNI_VERSION" flannel-cni-plugin "${cni_files[@]}"
build_image "zke/coredns:$COREDNS_VERSION" coredns "bin/coredns=$B/coredns-$COREDNS_VERSION/coredns"
build_image "zke/metrics-server:$METRICS_SERVER_VERSION" metrics-server \
  "bin/metrics-server=$B/metrics-server-$METRICS_SERVER_VERSION/metrics-server"
build_image zke/ingress:v1 ingress "bin/traefik=$B/traefik-$TRAEFIK_VERSION/traefik" \
  ca-certificates.crt=/etc/ssl/certs/ca-certificates.crt
build_image zke/nginx-proxy:v1 nginx-proxy
tools_rootfs=$BUILD_CACHE/tools-rootfs.tar
rm -rf "$BUILD_CACHE/ctx/tools" && mkdir -p "$BUILD_CACHE/ctx/tools"
bash "$here/../images/tools/context.sh" "$BUILD_CACHE/ctx/tools" zke/tools:v1
tar -C "$BUILD_CACHE/ctx/tools/rootfs" -cf "$tools_rootfs" .
build_image zke/tools:v1 tools tools.tar="$tools_rootfs"
for v in $ETCD_VERSIONS; do
  build_image "zke/etcd:$v" etcd tools.tar="$tools_rootfs" "bin/etcd=$B/etcd-$v/etcd" \
    "bin/etcdctl=$B/etcdctl-$v/etcdctl" "bin/etcdutl=$B/etcdutl-$v/etcdutl"
done
build_image "zke/metallb:$METALLB_VERSION" metallb "bin/controller=$B/metallb-$METALLB_VERSION/controller" \
  "bin/speaker=$B/metallb-$METALLB_VERSION/speaker"
build_image "zke/kube-router:$KUBE_ROUTER_VERSION" kube-router \
  "bin/kube-router=$B/kube-router-$KUBE_ROUTER_VERSION/kube-router"
for v in "${versions[@]}"; do
  kube_files=()
  for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    kube_files+=("bin/$c=$B/kubernetes-$v/$c")
  done
  build_image "zke/hyperkube:$v" hyperkube "${kube_files[@]}"
done
for v in "${conformance_versions[@]}"; do build_conformance_images "$v" "$e2e_rootfs"; done
not_made=$(images_not_made)
[[ -z $not_made ]] || { echo "not made by this recipe: ${not_made//$'\n'/ }" >&2; exit 1; }
echo "all images in ${IMAGES_REGISTRY:-the Docker} after $((SECONDS - start)) s"
