#!/usr/bin/env bash
# npm test: install what the tests need, start one Temporal dev server for the run, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
# schemathesis (PyPI) for the API fuzz test, into the same project-local venv
SCHEMATHESIS_VERSION=4.32.5
if ! compgen -G "$ZKE_TOOLS/py/lib/python3*/site-packages/schemathesis-$SCHEMATHESIS_VERSION.dist-info" >/dev/null; then
  echo "zke: installing schemathesis==$SCHEMATHESIS_VERSION (PyPI) into $ZKE_TOOLS/py"
  "$ZKE_TOOLS/py/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
bash lab/zlab.sh packages >/dev/null   # Debian packages the lab needs (apt), when missing
# docker-compose validates docker-compose.yml offline; chromium (headless) runs test/integration/browser.test.ts
for pkg in docker-compose chromium; do
  command -v "$pkg" >/dev/null && continue
  apt=(apt-get -o DPkg::Lock::Timeout=300 -qq)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "$pkg" >/dev/null ||
    { "${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "$pkg" >/dev/null; }
done

echo "zke: typecheck"
npx tsc --noEmit -p .

# Real Kubernetes images for the lab come from lab/k8s (Go module proxy builds cached in /var/cache/zke-lab).
# With a warm cache this only checks the registry; a cold build is long, so it runs only with ZKE_BUILD_K8S=1,
# and otherwise the tests that provision Kubernetes skip, saying why.
if [ -d "${ZKE_LAB_CACHE:-/var/cache/zke-lab}/build/bin" ] || [ "${ZKE_BUILD_K8S:-}" = 1 ]; then
  echo "zke: lab Kubernetes images"
  bash lab/zlab.sh down >/dev/null 2>&1 || true
  bash lab/zlab.sh up 1 >/dev/null
  bash lab/k8s/build.sh || echo "zke: WARNING: lab/k8s/build.sh failed; Kubernetes tests may skip"
  bash lab/zlab.sh down >/dev/null
fi

scratch=$(mktemp -d /tmp/zke-test-run.XXXXXX)
node --import tsx scripts/testServer.ts "$scratch" &
server_pid=$!
cleanup() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  bash lab/zlab.sh down >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT
for _ in $(seq 1 240); do [ -s "$scratch/address" ] && break; sleep 0.5; done
[ -s "$scratch/address" ] || { echo "Temporal dev server did not start; log:"; cat "$scratch/temporal.log"; exit 1; }
export ZKE_TEST_TEMPORAL=$(cat "$scratch/address")
export ZKE_KEYRING=$scratch/keyring.json

files=(test/unit/*.test.ts bench/*.test.ts test/integration/*.test.ts test/lab/*.test.ts)
node --import tsx --test --test-concurrency=1 --test-timeout=1800000 "${files[@]}"
