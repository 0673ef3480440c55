#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine: system packages (as root), venv, lint, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${need[*]} with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing system packages. Install them first:"
    echo "  sudo apt-get install -y ${need[*]}"
    exit 1
  fi
fi

bash scripts/venv.sh
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

.venv/bin/ruff check src tests scripts bench migrations
.venv/bin/python scripts/i18n.py check >/dev/null || { .venv/bin/python scripts/i18n.py check | tail -20; exit 1; }
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
