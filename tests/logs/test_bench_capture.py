"""The capture benchmark still runs end to end (a smoke run; its figures are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_capture.py"


def test_smoke_run_reports_overhead_and_every_writer_round() -> None:
    args = ["--calls", "20", "--warmup", "5", "--rows", "300", "--rounds", "3"]
    done = subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "| default (DefaultRedactor) |" in out
    writer_row = next(line for line in out.splitlines() if line.startswith("| 300 | 3 |"))
    assert len(writer_row.split("|")[-2].split(" / ")) == 3  # one figure per round
