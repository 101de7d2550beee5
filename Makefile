# Vitrine's front door. `make dev` runs the platform locally; `make test` runs the test suite.
# Both install what they need: uv (from PyPI), Python 3.13, the locked dependencies, the pinned
# CDK CLI and web packages (npm), and Debian's chromium for the browser tests.

SHELL := /bin/bash
.DEFAULT_GOAL := help
# jsii warns loudly on Node 20 (end of life); it works, and the warning hides test output.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

# uv: the one on PATH, else a private copy installed from PyPI.
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
# cdk.json runs the app with `uv run`, so the CDK CLI must find uv on PATH too.
export PATH := $(dir $(UV)):$(PATH)
# Python 3.13 (the Lambda runtime): pyenv's if it has one, else uv finds or downloads it.
UV_PYTHON ?= $(or $(shell pyenv prefix 3.13 2>/dev/null | head -n1 | sed 's|$$|/bin/python3.13|'),3.13)
export UV_PYTHON
CHROMIUM ?= $(or $(shell command -v chromium 2>/dev/null),$(shell command -v chromium-browser 2>/dev/null),/usr/bin/chromium)
export CHROMIUM
PYTEST_ARGS ?=
TEMPLATE := cdk.out/VitrineStack.template.json

.PHONY: help dev test lint format synth deploy bench web deps browser clean

help:
	@echo "make dev     run Vitrine locally (embedded AWS, local IVS, gateway) and print its URLs"
	@echo "make test    run the whole test suite (unit, integration, infrastructure, e2e, browser)"
	@echo "make lint    ruff check + format check + mypy (strict on functions/ and local/)"
	@echo "make synth   synthesize the CDK app into cdk.out/"
	@echo "make deploy  cdk deploy into the AWS account of your current credentials"
	@echo "make bench   run the benchmarks in bench/ (ARGS=\"gateway\" runs one)"

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.9

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: .venv/.synced node_modules/.installed web/node_modules/.installed

# Lighthouse (for bench/web_budget.py) is only installed by `make bench`.
bench/lighthouse/node_modules/.installed: bench/lighthouse/package.json bench/lighthouse/package-lock.json
	cd bench/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.installed $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print)
	cd web && npm run build

web: web/dist/index.html

# The local runtime reads this template; bundling is skipped (no Lambda asset is built locally).
$(TEMPLATE): .venv/.synced node_modules/.installed cdk.json $(shell find infra functions -name '*.py')
	$(UV) run --frozen python -m infra.synth --out cdk.out

synth: $(TEMPLATE)

dev: deps web $(TEMPLATE)
	$(UV) run --frozen python -m local $(ARGS)

browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else \
	    echo "Browser tests need Chromium: install it, or set CHROMIUM=/path/to/chromium" >&2; exit 1; \
	  fi; \
	fi

# ruff and mypy first: pytest's summary stays the last line printed.
test: deps web browser lint
	$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: .venv/.synced
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy

format: .venv/.synced
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

deploy: deps web
	npx cdk deploy --require-approval never $(ARGS)

bench: deps web bench/lighthouse/node_modules/.installed $(TEMPLATE)
	$(UV) run --frozen python -m bench $(ARGS)

clean:
	rm -rf cdk.out .vitrine web/dist .pytest_cache .ruff_cache
