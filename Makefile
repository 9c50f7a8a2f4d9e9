# The two commands of the README: `make run` (sample scans -> output/) and `make test`.
.PHONY: run test bench setup setup-test lint

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --test

run: setup
	.venv/bin/backissue run scans --out output

test: setup-test
	.venv/bin/python -m pytest

bench: setup-test
	.venv/bin/python -m benchmarks

lint:
	.venv/bin/ruff check pipeline tests benchmarks
