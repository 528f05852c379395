.PHONY: install test lint run bench
install:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[test,dev]'
test:
	.venv/bin/python -m pytest
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check --diff . || true
run:
	.venv/bin/python run.py
