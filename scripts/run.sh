#!/usr/bin/env bash
# Run ASAR on this machine: venv, install, migrate, demo data, serve on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
.venv/bin/asar demo --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
exec .venv/bin/asar serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
