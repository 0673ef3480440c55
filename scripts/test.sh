#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine: system packages (as root), venv, lint, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
# shellcheck source=scripts/apt.sh
. scripts/apt.sh
if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}"
fi

bash scripts/venv.sh
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

.venv/bin/ruff check src tests scripts bench migrations
.venv/bin/python scripts/i18n.py check >/dev/null || { .venv/bin/python scripts/i18n.py check | tail -20; exit 1; }
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
