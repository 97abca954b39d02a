#!/bin/bash
# The plain baseline of the fan-out job: one host after the other, a fresh ssh/scp connection per command.
# Usage: ssh-loop.sh STAGE_DIR GEN KEY KNOWN_HOSTS NAME=ADDRESS...
set -euo pipefail
stage=$1 gen=$2 key=$3 known=$4
shift 4
here=$(dirname "$0")
dir=/opt/zke-bench/ssh
opts=(-i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$known")
for host in "$@"; do
  name=${host%%=*} address=${host#*=}
  ssh "${opts[@]}" "root@$address" mkdir -p -m 700 "$dir"
  scp -q -p -r "${opts[@]}" "$stage/$name/ssl" "root@$address:$dir/"
  ssh "${opts[@]}" "root@$address" env NAME=zke-bench-ssh TOOL=ssh "GEN=$gen" "DIR=$dir/ssl" sh -s \
    <"$here/container.sh" >/dev/null
done
