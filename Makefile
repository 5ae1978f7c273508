# `make run` and `make test` set everything up on a fresh machine, with the exact versions
# the suite last passed with (constraints.txt). `make test-latest` tries the newest releases
# pyproject.toml's ranges allow; `make lock` records them once the suite passes on them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints.txt
LATEST := .venv-latest

.PHONY: run test check test-latest lock lint format bench install clean

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip -c $(CONSTRAINTS)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/meclean demo
	$(BIN)/meclean serve

test: $(STAMP)
	$(MAKE) check CHECK_BIN=$(BIN)

# Lint, type-check and run the whole suite with the tools in CHECK_BIN. The database tests
# run on SQLite and on a local PostgreSQL that .ci/postgres.sh installs (apt-get) and
# starts; .ci/packages.sh installs Redis, Chromium, Firefox ESR, Xvfb and npm for the queue
# and browser tests, and gcc for the CPU trainer's fused first layer; npm installs ESLint and Prettier (package.json), which check the
# browser app's JavaScript, and the Puppeteer that drives Firefox; node --test runs the
# unit tests of the browser's pure helpers (tests/js).
CHECK_BIN ?= $(BIN)
check:
	$(CHECK_BIN)/ruff check .
	$(CHECK_BIN)/ruff format --check .
	$(CHECK_BIN)/mypy
	bash .ci/packages.sh
	npm ci --no-audit --no-fund --loglevel=error
	npm run -s lint
	node --test tests/js/*.test.mjs
	npm ci --prefix tests/ui/firefox --no-audit --no-fund --loglevel=error
	MECLEAN_TEST_POSTGRES_URL=$$(bash .ci/postgres.sh) $(CHECK_BIN)/pytest -n 2

# Not part of `make test` (nothing blocks on it): the suite on the newest releases, in a
# virtual environment of its own, so that a moved dependency shows here before a user meets it.
test-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/pip install --quiet --upgrade pip
	$(LATEST)/bin/pip install --quiet --upgrade -e '.[dev]'
	$(MAKE) check CHECK_BIN=$(LATEST)/bin

# Update the recorded versions: the newest releases, kept only if the whole suite passes.
lock: test-latest
	{ echo "# The versions the whole suite (make test) last passed with, written by 'make lock'."; \
	  echo "# make run and make test install exactly these; pyproject.toml keeps the ranges."; \
	  $(LATEST)/bin/pip freeze --all --exclude-editable | sed 's/+cpu$$//'; } > $(CONSTRAINTS)

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	npm ci --no-audit --no-fund --loglevel=error
	npm run -s format

bench: $(STAMP)
	$(BIN)/python benchmarks/features.py

clean:
	rm -rf $(VENV) $(LATEST) meclean-data test-artifacts
