#!/usr/bin/env bash
# Builds the main packages of one Go module from the Go module proxy, in a writable copy of the module
# (so its own go.mod, replace directives included, applies), into $BUILD_CACHE/bin/<name>-<version>/.
# Skipped when every output exists. lab/k8s/patches/NAME.sh may adapt the copy first. Static (CGO_ENABLED=0), stripped, reproducible paths.
# Usage: bash lab/k8s/build-go.sh NAME MODULE VERSION 'LDFLAGS' PKG... (PKG relative to the module, e.g. . or ./cmd/x)
set -euo pipefail
name=$1 module=$2 version=$3 ldflags=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
out="$BUILD_CACHE/bin/$name-$version"
# which patch the copy and the binaries were made with (a patch added or changed later means a new copy and build;
# binaries built before these markers existed have none and stay)
patch=$here/patches/$name.sh
patch_id=none
[[ ! -f $patch ]] || patch_id=$(sha256sum < "$patch" | cut -c1-16)
missing=0
for p in "$@"; do
  bin=$(basename "$p"); [[ $p == . ]] && bin=$name
  [[ -x "$out/$bin" ]] || missing=1
done
[[ ! -f "$out/.patch" || "$(cat "$out/.patch")" == "$patch_id" ]] || missing=1
if ((missing == 0)); then echo "$name $version: cached in $out"; exit 0; fi
src="$BUILD_CACHE/src/$name-$version"
if [[ ! -f "$src/go.mod" || "$(cat "$src/.patch" 2>/dev/null || echo none)" != "$patch_id" ]]; then
  # forks keep their upstream module path, which the checksum database refuses; their go.sum pins the rest
  dir=$(cd /tmp && GONOSUMDB="$module" go mod download -json "$module@$version" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [[ -n $dir ]] || { echo "cannot download $module@$version" >&2; exit 1; }
  rm -rf "$src.tmp" && mkdir -p "$(dirname "$src")" && cp -r "$dir" "$src.tmp" && chmod -R u+w "$src.tmp"
  # lab/k8s/patches/NAME.sh, when present, adapts the copy (run inside it)
  [[ ! -f $patch ]] || (cd "$src.tmp" && bash "$patch")
  echo "$patch_id" > "$src.tmp/.patch"
  rm -rf "$src" && mv "$src.tmp" "$src"
fi
start=$SECONDS
mkdir -p "$out.tmp"
for p in "$@"; do
  bin=$(basename "$p"); [[ $p == . ]] && bin=$name
  (cd "$src" && nice -n 10 go build -p 2 -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp/$bin" "$p")
done
echo "$patch_id" > "$out.tmp/.patch"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "$name $version: built in $((SECONDS - start)) s into $out"
