#!/bin/bash
# Installs the benchmark's Python tools (ansible-core for the fan-out comparison, matplotlib for the plots)
# into a venv under the tools cache, once. Prints the venv's bin directory.
set -euo pipefail
ANSIBLE_CORE_VERSION=2.19.14
MATPLOTLIB_VERSION=3.10.7
venv=${ZKE_TOOLS:-$(dirname "$0")/../.zke/tools}/bench
check='import sys, matplotlib, ansible.release as a; sys.exit(a.__version__ != sys.argv[1] or matplotlib.__version__ != sys.argv[2])'
if ! "$venv/bin/python" -c "$check" "$ANSIBLE_CORE_VERSION" "$MATPLOTLIB_VERSION" 2>/dev/null; then
  echo "bench: installing ansible-core $ANSIBLE_CORE_VERSION and matplotlib $MATPLOTLIB_VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "ansible-core==$ANSIBLE_CORE_VERSION" "matplotlib==$MATPLOTLIB_VERSION" >&2
fi
cd "$venv/bin" && pwd
