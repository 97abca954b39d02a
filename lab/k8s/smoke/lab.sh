# shellcheck shell=bash
# The lab instance the smoke scripts talk to: the same ZLAB_ID / ZLAB_ROOT / ZLAB_NET rules as lab/common.sh.
# shellcheck disable=SC2034 # used by the scripts that source this file
ZLAB_ID=${ZLAB_ID:-0}
if [[ $ZLAB_ID == 0 ]]; then ZLAB_ROOT=${ZLAB_ROOT:-/srv/zlab}; else ZLAB_ROOT=${ZLAB_ROOT:-/srv/zlab-$ZLAB_ID}; fi
NET=${ZLAB_NET:-10.77.$ZLAB_ID}
