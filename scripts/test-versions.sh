#!/usr/bin/env bash
# npm run test:versions: builds every version of the table (lab/k8s/build.sh --all: about 9 min per version not
# cached yet), then provisions each in the lab and upgrades across one minor at both ends (test/versions).
# Arguments go to node --test; ZKE_VERSIONS=v1.30.14,v1.37.2 narrows the versions. Lab instance: ZLAB_ID (default 7).
set -euo pipefail
cd "$(dirname "$0")/.."
export ZLAB_ID=${ZLAB_ID:-7}
source scripts/ensure-tools.sh
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
bash lab/zlab.sh down >/dev/null 2>&1 || true
bash lab/zlab.sh up 1 >/dev/null
trap 'bash lab/zlab.sh down >/dev/null 2>&1 || true' EXIT
bash lab/k8s/build.sh --all
bash lab/zlab.sh down >/dev/null
node --import tsx --test --test-concurrency=1 "$@" test/versions/*.test.ts
