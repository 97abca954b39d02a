# shellcheck shell=bash
# Sourced by the lab/k8s scripts: where the build cache lives (outside the repository), Go settings.
ZKE_LAB_CACHE=${ZKE_LAB_CACHE:-/var/cache/zke-lab}
BUILD_CACHE="$ZKE_LAB_CACHE/build"
export GOMODCACHE="$BUILD_CACHE/gomod" GOCACHE="$BUILD_CACHE/gocache"
export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$GOMODCACHE" "$GOCACHE"

# kube_ldflags VER: stamps the version into component-base and client-go, as upstream's release builds do
kube_ldflags() {
  local ver=$1 minor=${1#v1.} p flags="-s -w"
  minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $p.gitVersion=$ver -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    flags+=" -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}
