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

# Two phases, one run (tests/conftest.py sums their counts and applies CI's rules at the end): the
# tests not marked `serial` on one xdist worker per core (whole modules stay on one worker, so a
# module's world is built once), then the timing-sensitive `serial` tests alone. Extra arguments
# (paths, -k, -x, --durations=N) go to both; a phase with nothing selected is no failure unless
# both are empty.
workers=$(nproc 2>/dev/null || echo 2)
[ "$workers" -gt 4 ] && workers=4
[ "$workers" -lt 2 ] && workers=2
tally=$(mktemp)
trap 'rm -f "$tally"' EXIT
export ASAR_TEST_TALLY="$tally"
set +e
ASAR_TEST_PHASE=parallel .venv/bin/python -m pytest -q -p no:cacheprovider -n "$workers" --dist loadfile "$@"
first=$?
ASAR_TEST_PHASE=serial .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
second=$?
set -e
[ $first -eq 5 ] && [ $second -eq 5 ] && exit 5  # nothing selected at all
[ $first -eq 5 ] && first=0
[ $second -eq 5 ] && second=0
[ $first -ne 0 ] && exit $first
exit $second
