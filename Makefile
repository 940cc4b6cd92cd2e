# agentel — every install step lives here, idempotent and fast when already done.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYPROJECT_HASH := $(shell sha1sum pyproject.toml | cut -c1-12)
STAMP := $(VENV)/.installed-$(PYPROJECT_HASH)
PYTEST_ARGS ?=

.PHONY: install test test-fast demo lint bench docs system-deps collector compose-plugin clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@# the machine's pip 23 resolves large dependency sets very slowly: upgrade it inside the venv first
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[local,server,reports,dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# Debian packages the integration tests use (real Prometheus + promtool, Chromium for the UI tests).
system-deps:
	@bash scripts/system-deps.sh

# agentel's OpenTelemetry Collector distribution (ocb), cached outside the clone by manifest hash.
collector:
	@bash scripts/build-collector.sh >/dev/null

# `docker compose` (for the deploy tests' `docker compose config`), built from its Go module.
compose-plugin:
	@bash scripts/install-compose-plugin.sh >/dev/null

# Everything: the example-data seed, the collector, the browser, docker compose config.
test: install system-deps collector compose-plugin
	$(PY) -m pytest $(PYTEST_ARGS)

# The fast tier (< 2 minutes): no subprocess seed, no collector, no browser — tests marked `slow`
# or `integration` are left out (tests/conftest.py marks those that use the seed, collector or UI).
test-fast: install
	$(PY) -m pytest -m "not slow and not integration" $(PYTEST_ARGS)

demo: install
	$(PY) examples/demo.py

lint: install
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples
	$(VENV)/bin/mypy
	$(PY) scripts/check_layers.py

bench: install collector
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

docs: install
	$(PY) -m agentel.cli docs --out docs/reference

clean:
	rm -rf $(VENV) .agentel .pytest_cache .mypy_cache .ruff_cache
