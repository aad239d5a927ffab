# Set-up is part of every target: the first run makes .venv and installs
# feedsvc with its test tools; later runs reuse it until pyproject.toml changes.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CONTENT ?= content

.PHONY: serve test check golden bench-extraction clean-venv

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## serve: serve the sample site at http://127.0.0.1:8000/ with gunicorn
serve: $(VENV)/.installed
	$(BIN)/feedsvc serve --content $(CONTENT) --host $(HOST) --port $(PORT)

## test: run the whole test suite
test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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

clean-venv:
	rm -rf $(VENV)
