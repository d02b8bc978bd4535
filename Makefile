# agentlanes developer entry points. `make demo` and `make test` work on a fresh
# clone: they create the virtual environment in .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?= -n 2

.PHONY: demo test install bench schemas docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/agentlanes demo

test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	$(BIN)/python bench/run_all.py

schemas: $(STAMP)
	$(BIN)/python -m agentlanes.schemas

# Regenerate docs/cli.md (from --help) and docs/configuration.md (from the configuration model).
docs: $(STAMP)
	$(BIN)/python -m agentlanes.docgen docs

clean:
	rm -rf $(VENV) artifacts .pytest_cache
