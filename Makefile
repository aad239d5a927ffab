# Set-up is part of every target: the first run makes .venv and installs
# feedsvc with its test, lint and docs tools; later runs reuse it until pyproject.toml changes.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CONTENT ?= content

.PHONY: serve test test-fast lint docs docs-reference check golden bench-extraction clean-checks train-scorer clean-venv

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,docs]'
	touch $@

## serve: serve the sample site at http://127.0.0.1:8000/ with gunicorn
serve: $(VENV)/.installed
	$(BIN)/feedsvc serve --content $(CONTENT) --host $(HOST) --port $(PORT)

## test: run the whole test suite
test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-fast: the unit tests alone (tests/unit: no server, no browser), one process a core, under 30 s; `make test` runs every test
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest tests/unit -q -n auto --dist worksteal $(PYTEST_ARGS)

## lint: ruff (lint and format check), mypy and the import contracts; runs all four, then fails if any failed
LINT_STEPS := "ruff check ." "ruff format --check ." "mypy" "lint-imports --no-cache --no-logo"
lint: $(VENV)/.installed
	@failed=; for step in $(LINT_STEPS); do \
		echo "+ $$step"; $(BIN)/$$step || failed="$$failed, $$step"; \
	done; \
	if [ -n "$$failed" ]; then echo "make lint: failed: $${failed#, }"; exit 1; fi

## docs: build docs/ with mkdocs --strict into a temporary folder; a broken link or a stale reference fails
docs: $(VENV)/.installed
	$(BIN)/python scripts/docs_reference.py --check
	site=$$(mktemp -d) && trap 'rm -rf "$$site"' EXIT && $(BIN)/mkdocs build --strict --site-dir "$$site"

## docs-reference: rewrite docs/reference/ (settings, command line, cleaner rules) from the code; commit what changes
docs-reference: $(VENV)/.installed
	$(BIN)/python scripts/docs_reference.py

## check: report every article of the content folder and every problem
check: $(VENV)/.installed
	$(BIN)/feedsvc check --content $(CONTENT)

## golden: rewrite tests/golden/ from the current code; review the diff before committing
golden: $(VENV)/.installed
	$(BIN)/python -m pytest tests/integration/test_golden.py --update-golden -q

## bench-extraction: the cleaner against trafilatura on datasets (DATASET="path/to/wcxb-dev path/to/readability-pages")
bench-extraction: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/extraction.py $(DATASET)

## clean-checks: the cleaner's hard rules (no appeal, no markup text, lazy images resolved) on every page of datasets (DATASET="...")
clean-checks: $(VENV)/.installed
	$(BIN)/python bench/clean_checks.py $(DATASET)

## train-scorer: retrain the learned block scorer, feedsvc/clean/scorer_model.json, on datasets (DATASET="path/to/wcxb-dev path/to/readability-pages"); deterministic
train-scorer: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python bench/train_scorer.py $(DATASET)

clean-venv:
	rm -rf $(VENV)
