.PHONY: run test lint i18n bench

run:    ## virtual environment, install, migrate, demo data, serve on http://127.0.0.1:8000
	bash scripts/run.sh

test:   ## system packages if missing (root), virtual environment, lint, the whole suite
	bash scripts/test.sh

lint:
	.venv/bin/ruff check src tests scripts bench migrations

i18n:   ## re-extract message ids into every catalog
	.venv/bin/python scripts/i18n.py extract

bench:  ## the load benchmarks of docs/benchmarks.md
	.venv/bin/python bench/pages.py
