#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool from the Go module proxy, once, into
# $ZKE_LAB_CACHE/build/temporal-$TEMPORAL_SERVER_VERSION/bin. Prints that directory.
set -euo pipefail
version=${TEMPORAL_SERVER_VERSION:-v1.32.0}
cache=${ZKE_LAB_CACHE:-/var/cache/zke-lab}/build
out="$cache/temporal-$version/bin"
built() { [[ -x $out/temporal-server && -x $out/temporal-sql-tool ]]; }
if built; then
  echo "$out"
  exit 0
fi
mkdir -p "$out"
exec 9>"$out/.lock" # one build at a time; a second caller waits for the first, then finds its result
flock 9
if built; then
  echo "$out"
  exit 0
fi
export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOFLAGS="-trimpath -mod=mod -buildvcs=false" CGO_ENABLED=0
mkdir -p "$GOMODCACHE" "$GOCACHE"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# One package at a time, two compiler jobs at most, at low priority: the machine is shared.
for pkg in cmd/server cmd/tools/sql; do
  (cd "$tmp" && GOBIN="$tmp" nice -n 15 go install -p 2 -ldflags "-s -w" "go.temporal.io/server/$pkg@$version") >&2
done
mv "$tmp/server" "$out/temporal-server"
mv "$tmp/sql" "$out/temporal-sql-tool"
echo "$out"
