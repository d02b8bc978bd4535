# agentlanes developer entry points. `make demo` and `make test` work on a fresh
# clone: they create the virtual environment in .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PYTEST_ARGS ?= -n 2
# The Mermaid release whose standalone bundle the browser tests render the Markdown
# charts with (the npm tarball alone, without its dependencies; npm checks its hash).
MERMAID_VERSION ?= 11.17.2
MERMAID_JS := $(VENV)/mermaid-$(MERMAID_VERSION)/mermaid.min.js

.PHONY: demo test install bench schemas docs clean mermaid

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

test: $(TEST_STAMP) mermaid
	AGENTLANES_MERMAID_JS=$(abspath $(MERMAID_JS)) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Without npm the Mermaid tests skip (and fail under CI=true), so a missing npm is not an error here.
mermaid: | $(BIN)/python
	@if [ -f $(MERMAID_JS) ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent mermaid@$(MERMAID_VERSION) >/dev/null) \
	  && tar -xzf $$tmp/mermaid-$(MERMAID_VERSION).tgz -C $$tmp package/dist/mermaid.min.js \
	  && mkdir -p $(dir $(MERMAID_JS)) && mv $$tmp/package/dist/mermaid.min.js $(MERMAID_JS); \
	  status=$$?; rm -rf $$tmp; exit $$status; \
	else echo "note: npm not found, so the Mermaid rendering tests will skip"; fi

bench: $(TEST_STAMP)
	$(BIN)/python bench/run_all.py

schemas: $(STAMP)
	$(BIN)/python -m agentlanes.schemas

# Regenerate docs/cli.md (from --help) and docs/configuration.md (from the configuration model).
docs: $(STAMP)
	$(BIN)/python -m agentlanes.docgen docs

clean:
	rm -rf $(VENV) artifacts .pytest_cache
