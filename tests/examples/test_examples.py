"""Every example runs, start to finish, as a user would run it: a subprocess on the tiny model.

The assertions read what each script prints for a reader (which tier served
which call, what was logged), so a script that runs but shows nothing useful fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = [pytest.mark.model, pytest.mark.slow]


def run_example(name: str, smollm2_path: Path) -> str:
    env = {
        **os.environ,
        "HETERO_AGENTS_EXAMPLE_SLM": str(smollm2_path),
        "HETERO_AGENTS_EXAMPLE_LLM": str(smollm2_path),
        "HETERO_AGENTS_EXAMPLE_THREADS": "1",
    }
    env.pop("HETERO_AGENTS_EXAMPLE_LLM_URL", None)
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


def test_every_example_is_smoke_tested() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    tested = {
        "router_react_agent.py",
        "slm_tool_agent.py",
        "hetero_node_graph.py",
        "log_existing_agent.py",
    }
    assert scripts == tested


def test_router_in_a_react_agent(smollm2_path: Path) -> None:
    out = run_example("router_react_agent.py", smollm2_path)
    assert re.search(r"tier (slm|llm) \(SmolLM2-135M-Instruct\.Q4_1\) -> ", out)
    tally = re.findall(r"model calls: (\d+), .*SLM: (\d+), .*LLM: (\d+)", out)
    total, slm, llm = map(int, tally[0])
    assert total > 0
    assert slm + llm == total


@pytest.mark.server
def test_slm_as_a_tool_of_an_llm_behind_the_openai_compatible_server(smollm2_path: Path) -> None:
    out = run_example("slm_tool_agent.py", smollm2_path)
    assert re.search(r"\[LLM \S+ served at http://127\.0\.0\.1:\d+/v1\]", out)
    assert re.search(r"LLM \(SmolLM2-135M-Instruct\.Q4_1\) (answers|-> extract_dates)", out)
    assert re.search(r"subtasks delegated to the SLM: \d+", out)
    assert "\nA: " in out


def test_hetero_node_routes_each_node(smollm2_path: Path) -> None:
    out = run_example("hetero_node_graph.py", smollm2_path)
    assert "node triage  task triage -> tier slm: kind=" in out  # pinned by the decorator
    assert "node agent  task agent -> tier llm: " in out  # RulePolicy's default
    assert "\nA: " in out


def test_logging_an_existing_agent(smollm2_path: Path) -> None:
    out = run_example("log_existing_agent.py", smollm2_path)
    calls = int(re.findall(r"calls: (\d+), tool runs: \d+", out)[0])
    assert calls >= 2  # one question, one call at least, each
    assert len(re.findall(r"^  node agent  model ", out, flags=re.M)) == calls
    assert "<EMAIL_1>" in out  # the address in the second question was redacted before writing
    assert "ann@example.com" not in out
