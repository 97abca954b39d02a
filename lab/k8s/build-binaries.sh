#!/usr/bin/env bash
# Builds (or finds in the cache) every binary the lab images need except Kubernetes itself.
# Usage: bash lab/k8s/build-binaries.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
source "$here/versions.sh"
go_build() { bash "$here/build-go.sh" "$@"; }

cri_ver=${CRI_DOCKERD_TAG#v}
go_build cri-dockerd "$CRI_DOCKERD_MODULE" "$CRI_DOCKERD_VERSION" \
  "-X github.com/Mirantis/cri-dockerd/cmd/version.Version=$cri_ver -X github.com/Mirantis/cri-dockerd/cmd/version.GitCommit=$CRI_DOCKERD_VERSION" .
go_build flanneld github.com/flannel-io/flannel "$FLANNEL_VERSION" \
  "-X github.com/flannel-io/flannel/pkg/version.Version=$FLANNEL_VERSION" .
go_build flannel-cni github.com/containernetworking/plugins "$FLANNEL_CNI_VERSION" "" ./plugins/meta/flannel
go_build cni-plugins github.com/containernetworking/plugins "$CNI_PLUGINS_VERSION" \
  "-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION" \
  ./plugins/main/bridge ./plugins/main/loopback ./plugins/ipam/host-local ./plugins/meta/portmap
for v in $ETCD_VERSIONS; do
  go_build etcd go.etcd.io/etcd/server/v3 "$v" "" .
  go_build etcdctl go.etcd.io/etcd/etcdctl/v3 "$v" "" .
  go_build etcdutl go.etcd.io/etcd/etcdutl/v3 "$v" "" .
done
go_build coredns github.com/coredns/coredns "$COREDNS_VERSION" "" .
ms=k8s.io/client-go/pkg/version
go_build metrics-server sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION" \
  "-X $ms.gitVersion=$METRICS_SERVER_VERSION -X $ms.gitCommit=$METRICS_SERVER_VERSION -X $ms.buildDate=1970-01-01T00:00:00Z" ./cmd/metrics-server
go_build traefik github.com/traefik/traefik/v3 "$TRAEFIK_VERSION" \
  "-X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" ./cmd/traefik
go_build metallb go.universe.tf/metallb "$METALLB_VERSION" \
  "-X go.universe.tf/metallb/internal/version.gitCommit=$METALLB_VERSION -X go.universe.tf/metallb/internal/version.gitBranch=release" \
  ./controller ./speaker
kr=github.com/cloudnativelabs/kube-router/v2
go_build kube-router "$kr" "$KUBE_ROUTER_VERSION" \
  "-X $kr/pkg/version.Version=$KUBE_ROUTER_VERSION -X $kr/pkg/version.BuildDate=1970-01-01T00:00:00Z" ./cmd/kube-router

pause_out="$BUILD_CACHE/bin/pause-$PAUSE_VERSION"
if [[ ! -x $pause_out/pause ]]; then
  mkdir -p "$pause_out"
  (cd "$here/pause" && go build -trimpath -ldflags "-s -w -X main.version=$PAUSE_VERSION" -o "$pause_out/pause" .)
fi
echo "pause $PAUSE_VERSION: $pause_out"
