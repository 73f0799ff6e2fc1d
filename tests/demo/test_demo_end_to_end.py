"""The whole demo on the tiny model: a real server on loopback, a real graph, convert, route.

SmolLM2-135M plays both tiers so CI stays fast; the figures are not the point
here (the savings benchmark measures those), the plumbing is: the LLM is
reached over HTTP through the ``openai`` client, every phase logs, ``convert``
publishes an artifact, the routed run goes through ``ChatRouter`` and the
report is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from hetero_agents.demo.run import DemoConfig, run_demo
from hetero_agents.logs import LogStore


@pytest.mark.model
@pytest.mark.server
@pytest.mark.timeout(900)
def test_demo_runs_every_phase_on_the_tiny_model(tmp_path: Path) -> None:
    config = DemoConfig(
        tasks=2,
        train_tasks=6,
        workdir=tmp_path,
        llm_model="smollm2-135m",
        slm="smollm2-135m",
        max_tokens=96,
    )
    result = run_demo(config, Console(record=True, width=120))

    baseline, routed = result.comparison.baseline, result.comparison.routed
    assert baseline.tasks == routed.tasks == 2
    assert baseline.calls >= 2 * 3  # three model nodes per task
    assert baseline.slm_calls == 0  # the baseline never touches the SLM
    assert routed.calls == baseline.calls
    assert baseline.cost_usd > 0  # LLM calls are priced as a hosted model's
    with LogStore(tmp_path / "logs.db") as store:
        calls = list(store.calls(top_level=True, with_tool_runs=True))
    assert {c.node for c in calls} >= {"triage", "worker", "answer"}
    assert any(c.tool_runs for c in calls), "the ToolNode's executions are logged"
    with LogStore(tmp_path / "routed.db") as store:
        routes = [c.route for c in store.calls(top_level=True)]
    assert routes
    assert all(r is not None and r["policy"] == "cluster" for r in routes)
    assert result.converted.artifact_path.is_dir()
    assert result.report is not None
    assert "LLM only" in result.report.read_text()
