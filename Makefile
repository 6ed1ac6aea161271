# Two commands do everything on a fresh machine with Python 3.11+ and git:
#   make site   creates .venv, installs okr-site, builds site/ from okrs/
#   make test   installs the test tools and runs the whole suite (lint, types, tests)

PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
OKRS ?= okrs

.PHONY: site test check serve lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

site: $(VENV)/.installed
	$(BIN)/okr build --config-file mkdocs.yml --site-dir site

check: $(VENV)/.installed
	$(BIN)/okr check $(OKRS)

serve: $(VENV)/.installed
	$(BIN)/mkdocs serve

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
