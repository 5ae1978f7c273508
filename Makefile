# `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/meclean demo
	$(BIN)/meclean serve

# The database tests run on SQLite and on a local PostgreSQL that .ci/postgres.sh installs
# (apt-get) and starts; .ci/packages.sh installs Redis, Chromium, Firefox ESR, Xvfb and npm
# for the queue and browser tests; npm installs ESLint and Prettier (package.json), which
# check frontend/js, and the Puppeteer that drives Firefox.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	bash .ci/packages.sh
	npm ci --no-audit --no-fund --loglevel=error
	npm run -s lint
	npm ci --prefix tests/ui/firefox --no-audit --no-fund --loglevel=error
	MECLEAN_TEST_POSTGRES_URL=$$(bash .ci/postgres.sh) $(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	npm ci --no-audit --no-fund --loglevel=error
	npm run -s format

bench: $(STAMP)
	$(BIN)/python benchmarks/features.py

clean:
	rm -rf $(VENV) meclean-data test-artifacts
