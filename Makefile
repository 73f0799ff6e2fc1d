# Shortcuts for contributors; CI calls .ci/run, which runs the README's test command.
PY ?= python

.PHONY: install test lint bench bench-wrapper bench-bfcl bench-capture bench-redaction bench-router

install:
	pip install -e ".[all,dev]" && hetero-agents models pull smollm2-135m

test:
	pytest

lint:
	ruff check . && ruff format --check . && mypy

# Benchmarks print markdown tables; paste them into benchmarks/RESULTS.md with the command.
bench: bench-wrapper bench-bfcl bench-capture bench-redaction bench-router

bench-wrapper:
	$(PY) benchmarks/bench_wrapper.py

bench-bfcl:
	$(PY) benchmarks/bench_bfcl.py --model qwen2.5-coder-0.5b --category simple -n 40
	$(PY) benchmarks/bench_bfcl.py --model qwen2.5-coder-0.5b --category multiple -n 40
	$(PY) benchmarks/bench_bfcl.py --model smollm2-135m --category simple -n 40
	$(PY) benchmarks/bench_bfcl.py --model smollm2-135m --category multiple -n 40

bench-capture:
	$(PY) benchmarks/bench_capture.py

bench-redaction:
	$(PY) benchmarks/bench_redaction.py

bench-router:
	$(PY) benchmarks/bench_router.py
