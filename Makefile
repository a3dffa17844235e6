# poa-forge: `make demo` builds every example case, `make test` runs the test suite.
# Both set everything up first (venv, pinned dependencies, fonts) and are idempotent.
SHELL := bash
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2

.PHONY: demo test bench setup setup-test lint clean

demo: setup
	$(BIN)/snakemake --cores $(CORES)

test: setup-test
	$(BIN)/python -m pytest

bench: setup-test
	$(BIN)/python tools/bench.py

setup:
	@bash tools/setup.sh

setup-test:
	@bash tools/setup.sh --test

# the quality gate on every case (as `poa lint`); Snakemake's own workflow linter is `snakemake --lint`
lint: setup
	$(BIN)/poa lint

clean:
	rm -rf results logs .snakemake
