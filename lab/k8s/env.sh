# shellcheck shell=bash
# Sourced by the lab/k8s scripts: where the build cache lives (outside the repository), Go settings.
ZKE_LAB_CACHE=${ZKE_LAB_CACHE:-/var/cache/zke-lab}
BUILD_CACHE="$ZKE_LAB_CACHE/build"
export GOMODCACHE="$BUILD_CACHE/gomod" GOCACHE="$BUILD_CACHE/gocache"
export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$GOMODCACHE" "$GOCACHE"
