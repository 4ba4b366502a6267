# e-Mitra: `make run` to try it, `make test` to prove it. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EMITRA := $(BIN)/emitra

.PHONY: run test lint fmt migrate demo worker install translations messages clean help

help:
	@echo "make run      set up everything and serve http://127.0.0.1:8000 (Ctrl-C stops all)"
	@echo "make test     lint, type-check and run the whole test suite"
	@echo "make lint | fmt | migrate | demo | worker | messages | clean"

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	EMITRA_DEV=1 $(EMITRA) compile_translations --verbosity 0

migrate: translations
	EMITRA_DEV=1 $(EMITRA) migrate --noinput

demo: migrate
	EMITRA_DEV=1 $(EMITRA) demo

run: demo
	EMITRA_DEV=1 $(EMITRA) collectstatic --noinput --verbosity 0
	@echo "e-Mitra: http://127.0.0.1:8000  ·  SMS simulator: http://127.0.0.1:8025  ·  payment gateway simulator: http://127.0.0.1:8026  ·  biller simulator: http://127.0.0.1:8027  ·  Ctrl-C stops all"
	EMITRA_DEV=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

worker: migrate
	EMITRA_DEV=1 $(EMITRA) worker

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint translations
	bin/test-suite

# Refresh locale/hi from the code (needs GNU gettext's xgettext).
messages: $(STAMP)
	EMITRA_DEV=1 $(EMITRA) makemessages -l hi --ignore '.venv/*' --ignore 'var/*' --no-obsolete

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
