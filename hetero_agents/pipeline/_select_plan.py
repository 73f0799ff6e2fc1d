"""S4's plan: which calls each cluster replays, with which shots, on which loaded model.

Kept apart from the replay loop so the ordering rule (each model loaded once for
all clusters, each adapter once for its cluster) reads, and tests, on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._replay import ReplayRequest, requests_for
from hetero_agents.pipeline.fewshot import choose_shots
from hetero_agents.pipeline.records import MODES, Example, Mode
from hetero_agents.pipeline.scoring import metric_for

if TYPE_CHECKING:
    from hetero_agents.pipeline.candidates import Candidate
    from hetero_agents.pipeline.records import Clustering


@dataclass(frozen=True, slots=True)
class ClusterPlan:
    """One cluster's replay: its eval requests, its shots, and what they measure."""

    cluster_id: int
    requests: list[ReplayRequest]
    shots: list[Example]
    metric: str


def check_arguments(
    modes: Sequence[str], threshold: float, min_agreement: float, k: int, max_eval: int | None
) -> None:
    """Refuse arguments that would make the selection meaningless, before any work."""
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise PipelineError(f"modes must be among {list(MODES)}, not {list(modes)}")
    if not 0 < threshold <= 1:
        raise PipelineError(f"threshold must be in (0, 1], not {threshold}")
    if not 0 <= min_agreement <= 1:
        raise PipelineError(f"min_agreement must be in [0, 1], not {min_agreement}")
    if k < 0 or (max_eval is not None and max_eval < 1):
        raise PipelineError("few_shot_k must be >= 0 and max_eval >= 1 (or None)")


def group_by_cluster(
    clustering: Clustering, examples: Sequence[Example]
) -> dict[int, list[Example]]:
    """Examples by cluster id; examples the clustering does not know are left out."""
    if not examples:
        raise PipelineError(
            "no curated examples to replay: run `curate` on a log with recorded LLM calls first"
        )
    by_cluster = clustering.group(examples)
    if not by_cluster:
        raise PipelineError(
            "none of the examples belongs to a cluster of this clustering: run `cluster` "
            "on the same curated examples first"
        )
    return by_cluster


def plan_cluster(
    cluster_id: int,
    members: Sequence[Example],
    clustering: Clustering,
    *,
    modes: Sequence[Mode],
    k: int,
    max_eval: int | None,
) -> ClusterPlan:
    """The cluster's eval requests (the first ``max_eval`` by call id) and its shots."""
    evals = sorted((e for e in members if e.split == "eval"), key=lambda e: e.call_id)
    requests = requests_for(evals[:max_eval] if max_eval is not None else evals)
    train = [e for e in members if e.split == "train"]
    shots = choose_shots(train, k, clustering.distances) if "few-shot" in modes else []
    metrics = Counter(metric_for(r.reference, r.schema) for r in requests)
    metric = metrics.most_common(1)[0][0] if metrics else "text"
    return ClusterPlan(cluster_id, requests, shots, metric)


Batch = list[tuple[ClusterPlan, Mode]]


def replay_jobs(
    pool: Sequence[Candidate],
    plans: Sequence[ClusterPlan],
    modes: Sequence[Mode],
    adapters: Mapping[tuple[int, str], Path],
) -> list[tuple[Candidate, Path | None, Batch]]:
    """Replays grouped by loaded model: one batch per base model, one per adapter."""
    jobs: list[tuple[Candidate, Path | None, Batch]] = []
    for candidate in pool:
        batch: Batch = [
            (plan, mode)
            for plan in plans
            if plan.requests
            for mode in modes
            if mode == "zero-shot" or (mode == "few-shot" and plan.shots)
        ]
        if batch:
            jobs.append((candidate, None, batch))
        for plan in plans:
            adapter = adapters.get((plan.cluster_id, candidate.name))
            if adapter is not None and plan.requests:
                jobs.append((candidate, Path(adapter), [(plan, "lora")]))
    return jobs
