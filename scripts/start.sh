#!/usr/bin/env bash
# npm start: install what is missing, then run Temporal (SQLite, Web UI), the worker and the API.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
exec node --import tsx scripts/start.ts
