#!/usr/bin/env bash
# Create, or repair, the virtual environment .venv (shared by `make run` and `make test`).
# A .venv without a working pip (left by a machine without python3-venv, or an interrupted run) is
# removed and made again; when Python's venv module cannot make one, python3-venv is installed with
# apt-get as root, or the command to run is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# shellcheck source=scripts/apt.sh
. scripts/apt.sh

command -v "$PY" >/dev/null 2>&1 || apt_install python3
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "ASAR needs Python 3.11 or newer; $PY is $("$PY" -V 2>&1)."
  exit 1
fi

venv_ok() { [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; }

if ! venv_ok; then
  if [ -e .venv ]; then
    echo "The virtual environment .venv is incomplete: making it again ..."
    rm -rf .venv
  fi
  if ! "$PY" -m venv .venv >/dev/null 2>&1 || ! venv_ok; then
    rm -rf .venv
    apt_install python3-venv  # Debian and Ubuntu ship venv's pip in a package of its own
    "$PY" -m venv .venv
  fi
fi
