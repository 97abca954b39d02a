# images.sh - build the test images with zlab1's dockerd and push them to the lab registry
# shellcheck shell=bash

# The images `images` builds, in order (later ones may start FROM earlier ones).
# Each row: NAME:TAG and a directory under lab/images holding a Dockerfile and,
# optionally, context.sh (called as `context.sh CTX NAME:TAG` to add generated files).
IMAGE_TABLE=(
  "zke/tools:v1 tools"
  "zke/etcd:v3.4.23 etcd"
)

# the build context: DIR's files, plus whatever DIR/context.sh generates
make_context() {
  local ref=$1 dir=$2 ctx=$3
  cp -a "$dir/." "$ctx/"
  rm -f "$ctx/context.sh"
  [ ! -f "$dir/context.sh" ] || bash "$dir/context.sh" "$ctx" "$ref"
}

# build_image NAME:TAG DIR [--force]: build on zlab1 (context streamed as a tar, legacy
# builder, so no dockerd is needed in the root namespace), tag NAME:TAG there too, push
# to $REG/NAME:TAG.  Skipped when the registry already has NAME:TAG, unless --force.
build_image() {
  local ref=$1 dir=$2 force=${3:-} ctx
  [[ $ref == */*:* ]] || die "image '$ref' must be NAME:TAG with a NAME like zke/x"
  [ -f "$dir/Dockerfile" ] || die "$dir has no Dockerfile"
  need_lab
  registry_answers || die "the lab registry does not answer on $REG"
  if [ "$force" != --force ] && registry_has "$ref"; then
    log "$ref: in the registry already (skipped; --force rebuilds)"
    return 0
  fi
  log "$ref: building on zlab1 from $dir"
  ctx=$(mktemp -d /tmp/zlab-ctx.XXXXXX)
  (
    trap 'rm -rf "$ctx"' EXIT
    make_context "$ref" "$dir" "$ctx"
    tar -C "$ctx" -c . | in_host_clean zlab1 DOCKER_BUILDKIT=0 /usr/bin/docker build -q -t "$REG/$ref" -t "$ref" - >&2
    in_host_clean zlab1 /usr/bin/docker push -q "$REG/$ref" >&2
  )
  log "$ref: pushed to $REG"
}

build_images() {
  local row
  for row in "${IMAGE_TABLE[@]}"; do
    # shellcheck disable=SC2086
    set -- $row
    build_image "$1" "$LAB_DIR/images/$2" "${FORCE:-}"
  done
}
