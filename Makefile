# Touchpoints: every target installs what it needs into .venv first.
VENV    ?= .venv
PYTHON  := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install browser demo cookbook run test test-fast soak lint format docs bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PYTHON) -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## create .venv and install the pinned dependencies

browser: ## install Debian's headless Chromium for the browser tests (needs root, as on the dev and CI machines)
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: $(STAMP) ## start the vendor-API sandbox and run the pipeline over a month of history into warehouse/touchpoints.duckdb
	$(PYTHON) -m sandbox.demo

cookbook: $(STAMP) ## write the answers of docs/cookbook.md again from the published warehouse (after make demo)
	$(PYTHON) -m touchpoints.presentation.cookbook

run: $(STAMP) ## run the nightly DAG for a range: make run START=2026-11-01 END=2026-11-07
	$(VENV)/bin/touchpoints run --start $(START) --end $(END)

test: $(STAMP) browser ## run the whole test suite (connectors, dbt, GX, Airflow end to end, browser), two at a time
	$(VENV)/bin/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test-fast: $(STAMP) ## the tests without the end-to-end DAG runs and the soak
	$(VENV)/bin/pytest -m "not e2e and not soak" $(PYTEST_ARGS)

soak: $(STAMP) ## the soak test alone (part of make test): runs through random faults and kills, figures printed
	$(VENV)/bin/pytest -m soak $(PYTEST_ARGS)

lint: $(STAMP) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

docs: $(STAMP) ## serve the docs site (dbt docs, KPI report, Data Docs) on http://127.0.0.1:8081
	$(VENV)/bin/touchpoints docs

SCALE ?= small
bench: $(STAMP) ## benchmarks, ratios printed, nothing asserted (SCALE=large: 1M/10M/50M touchpoints)
	$(PYTHON) -m benchmarks --scale $(SCALE)

clean: ## remove generated data (var/, warehouse/) but keep .venv
	rm -rf var warehouse dbt_project/target dbt_project/logs
