# shellcheck shell=bash
# Image helpers for build.sh (sourced): assemble a build context in the cache, build it with the Docker the
# `docker` CLI reaches (DOCKER_HOST, else its default socket) and push it to $IMAGES_REGISTRY, unless that
# registry (without one: that Docker) already holds the tag at the Dockerfile's revision.
#   IMAGES_REGISTRY   [http://|https://]host[:port][/namespace], as `zke images push` takes it; '' keeps the
#                     images in the Docker, named zke/...; credentials: docker login (DOCKER_CONFIG) for the
#                     push, ZKE_REGISTRY_USER and ZKE_REGISTRY_PASSWORD for the revision check
#   IMAGES_ONLY       the NAME:TAGs to build, space-separated ('' builds all)
IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/images
ZKE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin/zke.mjs
IMAGES_REGISTRY=${IMAGES_REGISTRY:-}
IMAGES_ONLY=${IMAGES_ONLY:-}
FORCE_IMAGES=${FORCE_IMAGES:-0}
IMAGES_SEEN= # every NAME:TAG build_image was called with
BASE_IMAGE=
PENDING_BASE=() # the base image's build_image arguments, until the first image FROM it needs it

# the base image's tag names the rootfs it was made from
base_image() {
  local name
  name=$(basename "$1" .tar)
  echo "zke/node-base:${name#bookworm-node-}"
}

# target REF: the name Docker builds and pushes REF as (the registry's name for it, without the URL scheme)
target() {
  local registry=${IMAGES_REGISTRY#http://}
  registry=${registry#https://}
  echo "${registry:+${registry%/}/}$1"
}

# image_revision REF: the zke.lab.revision label of REF where the images go ('' when unlabelled); exit status 1
# when REF is not there, another when the registry cannot say
image_revision() {
  if [[ -z $IMAGES_REGISTRY ]]; then
    docker image inspect --format '{{index .Config.Labels "zke.lab.revision"}}' "$1" 2>/dev/null
  else
    node "$ZKE" images revision --registry "$IMAGES_REGISTRY" ${ZKE_REGISTRY_USER:+--user "$ZKE_REGISTRY_USER"} "$1"
  fi
}

image_present() { image_revision "$1" >/dev/null; }

# current REF IMAGE_DIR: REF is there, with the revision its Dockerfile labels (LABEL zke.lab.revision=N), if
# any: bumping that label rebuilds the image everywhere, though its tag stays the same
current() {
  local want have
  want=$(sed -n 's/^LABEL zke\.lab\.revision=//p' "$IMAGES_DIR/$2/Dockerfile")
  have=$(image_revision "$1") || { (($? == 1)) || exit 1; return 1; } # 1: not there; else: cannot tell
  [[ $have == "$want" || -z $want ]]
}

wanted() { [[ -z $IMAGES_ONLY || " $IMAGES_ONLY " == *" $1 "* ]]; }

# the NAME:TAGs of IMAGES_ONLY the recipe does not make (after it ran)
images_not_made() {
  local ref
  for ref in $IMAGES_ONLY; do [[ " $IMAGES_SEEN " == *" $ref "* ]] || echo "$ref"; done
}

# build_image NAME:TAG IMAGE_DIR [DEST=SOURCE]...: context = images/IMAGE_DIR + the listed cache files.
# A base image (IMAGE_DIR base) becomes @BASE@ of the images after it, and is built before the first of them.
build_image() {
  if [[ $2 == base ]]; then
    BASE_IMAGE=$1
    PENDING_BASE=("$@")
    return 0
  fi
  IMAGES_SEEN+=" $1"
  wanted "$1" || return 0
  if ((${#PENDING_BASE[@]})) && grep -q @BASE@ "$IMAGES_DIR/$2/Dockerfile"; then
    local pending=("${PENDING_BASE[@]}")
    PENDING_BASE=()
    build_one "${pending[@]}"
  fi
  build_one "$@"
}

build_one() {
  local ref=$1 dir=$2 ctx spec t=$SECONDS
  shift 2
  if ((FORCE_IMAGES == 0)) && current "$ref" "$dir"; then
    echo "image $ref: already in ${IMAGES_REGISTRY:-the Docker}"
    return 0
  fi
  ctx="$BUILD_CACHE/ctx/${ref//[:\/]/_}"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp -r "$IMAGES_DIR/$dir/." "$ctx/"
  sed -i "s#@BASE@#$(target "$BASE_IMAGE")#" "$ctx/Dockerfile"
  for spec in "$@"; do
    mkdir -p "$(dirname "$ctx/${spec%%=*}")"
    cp -L "${spec#*=}" "$ctx/${spec%%=*}"
  done
  # the classic builder: the daemon does it all, so any Docker does, with no buildx on this machine
  DOCKER_BUILDKIT=0 docker build -q -t "$(target "$ref")" "$ctx" >/dev/null ||
    { echo "image $ref: docker build failed (see above; its context: $ctx)" >&2; return 1; }
  [[ -z $IMAGES_REGISTRY ]] || docker push -q "$(target "$ref")" >/dev/null ||
    { echo "image $ref: the push to $IMAGES_REGISTRY failed (see above)" >&2; return 1; }
  echo "image $ref: built${IMAGES_REGISTRY:+ and pushed} in $((SECONDS - t)) s"
}
