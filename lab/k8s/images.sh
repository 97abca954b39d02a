# shellcheck shell=bash
# Image helpers for build.sh (sourced): assemble a build context in the cache and build + push it with
# `lab/zlab.sh build-image`, unless the lab registry already holds that tag.
ZLAB=${ZLAB:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/zlab.sh}
REGISTRY_STORE=${REGISTRY_STORE:-$ZKE_LAB_CACHE/registry/docker/registry/v2/repositories}
IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/images
FORCE_IMAGES=${FORCE_IMAGES:-0}
BASE_IMAGE=

# the base image's tag names the rootfs it was made from
base_image() {
  local name
  name=$(basename "$1" .tar)
  echo "zke/node-base:${name#bookworm-node-}"
}

in_registry() {
  local repo=${1%:*} tag=${1##*:}
  [[ -e $REGISTRY_STORE/$repo/_manifests/tags/$tag/current/link ]]
}

# registry_revision REF: the zke.lab.revision label of the image the lab registry holds as REF ('' when none)
registry_revision() {
  python3 - "$REGISTRY_STORE" "$1" <<'PY'
import json, os, sys
store, ref = sys.argv[1], sys.argv[2]
repo, tag = ref.rsplit(':', 1)
blobs = os.path.join(store, '..', 'blobs', 'sha256')
def blob(digest):
    h = digest.split(':', 1)[1]
    with open(os.path.join(blobs, h[:2], h, 'data')) as f:
        return json.load(f)
with open(os.path.join(store, repo, '_manifests', 'tags', tag, 'current', 'link')) as f:
    manifest = blob(f.read().strip())
labels = blob(manifest['config']['digest']).get('config', {}).get('Labels') or {}
print(labels.get('zke.lab.revision', ''))
PY
}

# current REF IMAGE_DIR: the registry holds REF, and the revision its Dockerfile labels (LABEL zke.lab.revision=N),
# if any: bumping that label makes every lab registry rebuild the image, though its tag stays the same
current() {
  local want
  want=$(sed -n 's/^LABEL zke\.lab\.revision=//p' "$IMAGES_DIR/$2/Dockerfile")
  in_registry "$1" && { [[ -z $want ]] || [[ $(registry_revision "$1") == "$want" ]]; }
}

# build_image NAME:TAG IMAGE_DIR [DEST=SOURCE]...: context = images/IMAGE_DIR + the listed cache files
build_image() {
  local ref=$1 dir=$2 ctx spec
  shift 2
  [[ $dir == base ]] && BASE_IMAGE=$ref
  if ((FORCE_IMAGES == 0)) && current "$ref" "$dir"; then
    echo "image $ref: already in the registry"
    return 0
  fi
  ctx="$BUILD_CACHE/ctx/${ref//[:\/]/_}"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp -r "$IMAGES_DIR/$dir/." "$ctx/"
  sed -i "s#@BASE@#$BASE_IMAGE#" "$ctx/Dockerfile"
  for spec in "$@"; do
    mkdir -p "$(dirname "$ctx/${spec%%=*}")"
    cp -L "${spec#*=}" "$ctx/${spec%%=*}"
  done
  local t=$SECONDS
  local force=()
  # forced, or in the registry under this tag but of another revision (current): rebuilt over it
  if ((FORCE_IMAGES)) || in_registry "$ref"; then force=(--force); fi
  bash "$ZLAB" build-image "$ref" "$ctx" "${force[@]}"
  echo "image $ref: built and pushed in $((SECONDS - t)) s"
}
