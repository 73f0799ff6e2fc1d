"""Synthetic pipeline records with figures simple enough to check by hand.

Three clusters and one call no cluster took:

| cluster | calls | tokens/call | $/call | ms/call | best SLM            | decision           |
|---------|-------|-------------|--------|---------|---------------------|--------------------|
| 0       | 4     | 100 + 20    | 0.01   | 1000    | qwen few-shot 1.00  | SLM qwen few-shot  |
| 1       | 2     | 300 + 100   | 0.03   | 3000    | qwen zero-shot 0.50 | LLM (was SLM)      |
| 2       | 4     | 50 + 10     | 0.002  | 500     | qwen zero-shot 0.96 | SLM qwen zero-shot |
| none    | 1     | 10 + 0      | 0.001  | 800     |                     | stays on the LLM   |
"""

from __future__ import annotations

import numpy as np

from hetero_agents.pipeline.records import (
    CandidateScore,
    Cluster,
    Clustering,
    DriftFlag,
    Example,
    Selection,
)
from hetero_agents.pipeline.report import Comparison, ReportData, RunFigures, build_report_data

CREATED = "2025-01-02T03:04:05+00:00"
QWEN, SMOL = "qwen2.5-coder-0.5b", "smollm2-135m"

# (label, size, input tokens, output tokens, cost, duration) per cluster, as in the table above
SPEC = [
    ("weather lookup · get_weather", 4, 100, 20, 0.01, 1000.0),
    ("summarise a document", 2, 300, 100, 0.03, 3000.0),
    ("arithmetic · calculate", 4, 50, 10, 0.002, 500.0),
]
UNASSIGNED = (10, 0, 0.001, 800.0)


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def example(call_id: str, tokens_in: int, tokens_out: int, cost: float, ms: float) -> Example:
    return Example(
        call_id=call_id,
        text=f"text of {call_id}",
        messages=[],
        tools=None,
        response={},
        split="eval",
        group="g",
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        duration_ms=ms,
        cost_usd=cost,
    )


def score(cluster_id: int, candidate: str, mode: str, accuracy: float, latency: float):
    return CandidateScore(
        cluster_id=cluster_id,
        candidate=candidate,
        mode=mode,
        n=4,
        accuracy=accuracy,
        validity=1.0,
        latency_ms=latency,
        footprint_mb=469.0,
        metric="tool_call",
    )


def clustering(labels: list[str] | None = None) -> Clustering:
    centroids = [unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0, 0, 1, 1)]
    clusters, assignments, distances = [], {}, {}
    for i, (label, size, *_rest) in enumerate(SPEC):
        ids = tuple(f"c{i}-{j}" for j in range(size))
        clusters.append(
            Cluster(
                id=i,
                label=labels[i] if labels else label,
                centroid=centroids[i],
                threshold=0.4,
                size=size,
                node="worker",
                tools=("get_weather",) if i == 0 else (),
                call_ids=ids,
            )
        )
        assignments.update(dict.fromkeys(ids, i))
        distances.update(dict.fromkeys(ids, 0.1))
    return Clustering(
        clusters=clusters,
        assignments=assignments,
        distances=distances,
        embedder="hashing",
        dim=4,
        text_version="1",
        method="kmeans+silhouette",
    )


def examples() -> list[Example]:
    out = [
        example(f"c{i}-{j}", tin, tout, cost, ms)
        for i, (_label, size, tin, tout, cost, ms) in enumerate(SPEC)
        for j in range(size)
    ]
    out.append(example("stray", *UNASSIGNED))
    return out


def scores() -> list[CandidateScore]:
    return [
        score(0, QWEN, "zero-shot", 0.75, 250.0),
        score(0, QWEN, "few-shot", 1.0, 200.0),
        score(0, SMOL, "zero-shot", 0.5, 80.0),
        score(1, QWEN, "zero-shot", 0.5, 400.0),
        score(2, SMOL, "zero-shot", 0.9, 100.0),
        score(2, QWEN, "zero-shot", 0.96, 300.0),
    ]


def selections() -> list[Selection]:
    return [
        Selection(
            0, "slm", "cheapest passing", 0.95, QWEN, "few-shot", score=1.0, previous_tier="llm"
        ),
        Selection(1, "llm", "no SLM reached 95%", 0.95, score=0.5, previous_tier="slm"),
        Selection(2, "slm", "cheapest passing", 0.95, QWEN, "zero-shot", score=0.96),
    ]


def comparison() -> Comparison:
    return Comparison(
        baseline=RunFigures("LLM only", 40, 0.9, 120, 0, 50_000, 3_000, 0.5, 4.2),
        routed=RunFigures("routed", 40, 0.875, 118, 80, 52_000, 3_100, 0.2, 2.1),
        note="40 held-out tasks, seed 0",
    )


def report_data(**overrides) -> ReportData:
    kwargs = {
        "scores": scores(),
        "selections": selections(),
        "examples": examples(),
        "drift": [
            DriftFlag(
                "far_calls",
                0.25,
                0.05,
                True,
                "a quarter of calls are far from every centroid: re-run convert",
            ),
            DriftFlag("escalation_rate", 0.02, 0.03, False, "steady", cluster_id=0),
        ],
        "created_utc": CREATED,
    }
    kwargs.update(overrides)
    cl = kwargs.pop("clustering") if "clustering" in kwargs else clustering()
    return build_report_data(cl, **kwargs)
