#!/usr/bin/env bash
# Builds the Temporal server, its SQL schema tool and the Web UI server from the Go module proxy, once, into
# $ZKE_LAB_CACHE/build/temporal-$TEMPORAL_SERVER_VERSION/bin. Prints that directory.
set -euo pipefail
version=${TEMPORAL_SERVER_VERSION:-v1.32.0}
# the newest UI server the machine's Go builds (later ones need a newer Go); its module carries the built UI
ui_version=${TEMPORAL_UI_VERSION:-v2.45.3}
cache=${ZKE_LAB_CACHE:-/var/cache/zke-lab}/build
out="$cache/temporal-$version/bin"
# binary name -> package@version
declare -A packages=(
  [temporal-server]="go.temporal.io/server/cmd/server@$version"
  [temporal-sql-tool]="go.temporal.io/server/cmd/tools/sql@$version"
  [temporal-ui-server]="github.com/temporalio/ui-server/v2/cmd/server@$ui_version"
)
missing() {
  local name
  for name in "${!packages[@]}"; do [[ -x $out/$name ]] || echo "$name"; done
}
if [[ -z $(missing) ]]; then
  echo "$out"
  exit 0
fi
mkdir -p "$out"
exec 9>"$out/.lock" # one build at a time; a second caller waits for the first, then finds its result
flock 9
export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache" GOFLAGS="-trimpath -mod=mod -buildvcs=false" CGO_ENABLED=0
mkdir -p "$GOMODCACHE" "$GOCACHE"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# One package at a time, two compiler jobs at most, at low priority: the machine is shared.
for name in $(missing); do
  rm -rf "$tmp/bin" && mkdir -p "$tmp/bin"
  (cd "$tmp" && GOBIN="$tmp/bin" nice -n 15 go install -p 2 -ldflags "-s -w" "${packages[$name]}") >&2
  mv "$tmp/bin/"* "$out/$name"
done
echo "$out"
