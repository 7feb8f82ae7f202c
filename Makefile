# Two entry points (see README): `make run` and `make test`. Both set up first.
VENV   := .venv
PY     := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup engine run test

setup: $(VENV)/.installed engine

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

engine: $(VENV)/.installed
	@PYTHON=$(PY) scripts/build-engine.sh >/dev/null

run: setup
	scripts/run-local

test: setup
	$(VENV)/bin/pytest -q
