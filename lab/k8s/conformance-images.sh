# shellcheck shell=bash
# The conformance suite's test images (sourced by build.sh after images.sh): `e2e.test --list-images` with
# conformance-repo-list.yaml says which names and tags the suite pulls; each one the [Conformance] tests use
# is built here from source (Go programs of build-conformance.sh, Debian packages of the e2e rootfs) and pushed
# to the lab registry under that name. The others are listed as not built.
LAB_ETCD_IMAGE=zke/etcd:v3.4.23 # lab/images.sh builds it
CONFORMANCE_REPO_LIST=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/conformance-repo-list.yaml

# conformance_images VER: the image references (registry-relative, e.g. e2e-test-images/agnhost:2.56) of VER's suite
conformance_images() {
  local list
  list=$(mktemp)
  sed 's#@REG@#zke.lab#' "$CONFORMANCE_REPO_LIST" >"$list"
  KUBE_TEST_REPO_LIST=$list "$BUILD_CACHE/bin/conformance-$1/e2e.test" --list-images | sed -n 's#^zke\.lab/##p' | sort -u
  rm -f "$list"
}

# build_conformance_images VER ROOTFS: ROOTFS is the e2e rootfs tarball (build-rootfs.sh e2e)
build_conformance_images() {
  local ver=$1 rootfs=$2 bin="$BUILD_CACHE/bin/conformance-$1" ref name src e2e_base agnhost=""
  src="$(cd "$BUILD_CACHE/gomod" && go mod download -json "k8s.io/kubernetes@$ver" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')/test/images"
  e2e_base="zke/e2e-base:$(basename "$rootfs" .tar | sed 's/^bookworm-e2e-//')"
  build_image "$e2e_base" base rootfs.tar="$rootfs"
  for ref in $(conformance_images "$ver"); do
    name=${ref%:*}
    name=${name##*/}
    BASE_IMAGE=$e2e_base
    case $name in
      agnhost)
        agnhost=$ref
        build_image "$ref" e2e-agnhost "agnhost=$bin/agnhost" "localhost.crt=$src/agnhost/porter/localhost.crt" \
          "localhost.key=$src/agnhost/porter/localhost.key" ;;
      busybox) build_image "$ref" e2e-busybox "busybox=$BUILD_CACHE/bin/busybox-$BUSYBOX_VERSION/busybox" ;;
      httpd) build_image "$ref" e2e-httpd "index.html=$src/httpd/index.html" ;;
      nginx) build_image "$ref" e2e-nginx ;;
      jessie-dnsutils) build_image "$ref" e2e-dnsutils ;;
      kitten | nautilus)
        BASE_IMAGE=${agnhost:?agnhost must come before $name in the list}
        build_image "$ref" e2e-webserver "html/$name.jpg=$src/$name/html/$name.jpg" "html/data.json=$src/$name/html/data.json" ;;
      nonewprivs) build_image "$ref" e2e-nonewprivs "nnp=$bin/nonewprivs" ;;
      sample-apiserver) build_image "$ref" e2e-sample-apiserver "sample-apiserver=$bin/sample-apiserver" ;;
      pause) build_image "$ref" pause "bin/pause=$BUILD_CACHE/bin/pause-$PAUSE_VERSION/pause" ;;
      etcd)
        image_present "$LAB_ETCD_IMAGE" || bash "$ZLAB" images
        BASE_IMAGE=$LAB_ETCD_IMAGE
        build_image "$ref" e2e-etcd ;;
      *) echo "image $ref: not built (see docs/conformance.md)" ;;
    esac
  done
}
