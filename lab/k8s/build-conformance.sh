#!/usr/bin/env bash
# Builds the upstream conformance suite of one Kubernetes version from the Go module proxy into
# $BUILD_CACHE/bin/conformance-<ver>/ (each binary skipped when present): e2e.test (k8s.io/kubernetes/test/e2e),
# the ginkgo CLI at the version kubernetes' go.mod pins, and the Go programs of the suite's test images
# (agnhost and nonewprivs from k8s.io/kubernetes/test/images, sample-apiserver from k8s.io/sample-apiserver).
# Usage: bash lab/k8s/build-conformance.sh v1.34.4
set -euo pipefail
ver=${1:?usage: build-conformance.sh vX.Y.Z}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
out="$BUILD_CACHE/bin/conformance-$ver"
bins=(e2e.test ginkgo agnhost nonewprivs sample-apiserver)
missing=()
for b in "${bins[@]}"; do [[ -x $out/$b ]] || missing+=("$b"); done
if ((${#missing[@]} == 0)); then echo "conformance $ver: cached in $out"; exit 0; fi
[[ -f "$here/builder-$ver/go.mod" ]] || bash "$here/gen-builder.sh" "$ver"

# the proxy does not serve every patch release of k8s.io/sample-apiserver (e2e imports its wardle types):
# take the served one nearest below the version, else the nearest above
served_sample_apiserver() {
  local want=${ver#v1.} minor v best="" above=""
  minor=${want%%.*}
  for v in $(cd /tmp && go list -m -versions k8s.io/sample-apiserver | tr ' ' '\n' | grep "^v0\.$minor\.[0-9]*$" | sort -t. -k3n); do
    if ((${v##*.} <= ${want##*.})); then best=$v; elif [[ -z $above ]]; then above=$v; fi
  done
  echo "${best:-$above}"
}

src="$BUILD_CACHE/src/conformance-$ver"
if [[ ! -f $src/go.sum ]]; then
  sample=$(served_sample_apiserver)
  [[ -n $sample ]] || { echo "conformance $ver: the proxy serves no k8s.io/sample-apiserver v0.${ver#v1.}" >&2; exit 1; }
  rm -rf "$src.tmp" && mkdir -p "$src.tmp"
  cp "$here/builder-$ver/go.mod" "$here/builder-$ver/go.sum" "$src.tmp/"
  (cd "$src.tmp" && go mod edit -module zke.lab/conformance-builder \
    -replace "k8s.io/sample-apiserver=k8s.io/sample-apiserver@$sample")
  rm -rf "$src" && mv "$src.tmp" "$src"
  echo "conformance $ver: k8s.io/sample-apiserver $sample"
fi
ldflags=$(kube_ldflags "$ver")
start=$SECONDS
mkdir -p "$out"
for b in "${missing[@]}"; do
  build=(go build)
  case $b in
    e2e.test) pkg=k8s.io/kubernetes/test/e2e build=(go test -c) ;;
    ginkgo) pkg=github.com/onsi/ginkgo/v2/ginkgo ;; # the version the module graph selects: kubernetes' pin
    sample-apiserver) pkg=k8s.io/sample-apiserver ;;
    *) pkg=k8s.io/kubernetes/test/images/$b ;;
  esac
  (cd "$src" && nice -n 10 "${build[@]}" -p 2 -trimpath -ldflags "$ldflags" -o "$out/.$b.tmp" "$pkg")
  mv "$out/.$b.tmp" "$out/$b"
done
ginkgo_ver=$(cd "$src" && go list -m -f '{{.Version}}' github.com/onsi/ginkgo/v2)
echo "conformance $ver: ${missing[*]} (ginkgo $ginkgo_ver) built in $((SECONDS - start)) s into $out"
