"""S4 ``select``: replay each cluster on candidate small models, keep the cheapest that agrees.

For every cluster, its eval-split calls are replayed exactly as the agent made
them (messages, tools, ``tool_choice``, structured output) on every candidate in
every mode: ``zero-shot``, ``few-shot`` (the cluster's most typical train
examples as prior turns, :mod:`~hetero_agents.pipeline.fewshot`) and ``lora``
(where an adapter was trained for that cluster and model). Each answer is scored
against the LLM's recorded one (:mod:`~hetero_agents.pipeline.scoring`).

The bar a cluster must clear is relative where it can be: ``threshold`` times
the LLM's agreement with itself, measured on alternate LLM answers to the same
requests (at least three), else the absolute ``min_agreement``. Of the
candidates that clear it, the cheapest serves (smallest footprint, then
fastest; the simplest mode of a model first); none clears it, and the LLM keeps
the cluster. Every reason is written into the :class:`Selection`.

Replays are ordered by model: each model is loaded once for all clusters (each
LoRA once for its cluster) and freed before the next, so memory holds one model
at a time. A model that fails to load is scored as failed on every cluster, and
the selection goes on.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hetero_agents.pipeline._choose import Requirement, decide, requirement
from hetero_agents.pipeline._progress import ProgressBar, progress_bar
from hetero_agents.pipeline._replay import CallOutcome, replay, requests_for
from hetero_agents.pipeline._select_plan import (
    Batch,
    ClusterPlan,
    check_arguments,
    group_by_cluster,
    plan_cluster,
    replay_jobs,
)
from hetero_agents.pipeline.candidates import (
    Candidate,
    load_candidate,
    release_candidate,
    resolve_candidates,
)
from hetero_agents.pipeline.fewshot import DEFAULT_SHOT_TOKENS, FewShotChatModel
from hetero_agents.pipeline.records import CandidateScore, Example, Mode, Selection
from hetero_agents.pipeline.scoring import DEFAULT_TEXT_THRESHOLD

if TYPE_CHECKING:
    import os

    from langchain_core.language_models import BaseChatModel

    from hetero_agents.pipeline.records import Clustering, Tier
    from hetero_agents.routing.embedders import Embedder


@dataclass(frozen=True, slots=True)
class SelectResult:
    """What S4 decided, and the evidence.

    Attributes:
        scores: One row per cluster x candidate x mode replayed.
        selections: One per cluster, in cluster order.
        shots: The few-shot examples used per cluster id (the route stage stores
            them with a cluster that serves few-shot).
    """

    scores: list[CandidateScore]
    selections: list[Selection]
    shots: dict[int, list[Example]] = field(default_factory=dict)

    def selection(self, cluster_id: int) -> Selection:
        """The selection for ``cluster_id``."""
        for item in self.selections:
            if item.cluster_id == cluster_id:
                return item
        raise KeyError(cluster_id)


@dataclass(frozen=True, slots=True)
class _Row:
    """Who is replayed: a candidate in one mode, with its footprint and adapter."""

    candidate: str
    mode: Mode
    footprint_mb: float
    lora: Path | None = None


@dataclass(frozen=True, slots=True)
class _Scoring:
    embedder: Embedder | None
    judge: BaseChatModel | None
    text_threshold: float
    max_shot_tokens: int


def select(
    clustering: Clustering,
    examples: Sequence[Example],
    candidates: Sequence[str | os.PathLike[str] | Candidate] | Mapping[str, Any],
    *,
    modes: Sequence[Mode] = ("zero-shot", "few-shot"),
    loras: Mapping[tuple[int, str], Path] | None = None,
    threshold: float = 0.95,
    min_agreement: float = 0.8,
    alternates: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    few_shot_k: int = 3,
    max_eval: int | None = 50,
    embedder: Embedder | None = None,
    judge: BaseChatModel | None = None,
    previous: Mapping[int, Tier] | None = None,
    progress: bool = True,
    text_threshold: float = DEFAULT_TEXT_THRESHOLD,
    max_shot_tokens: int = DEFAULT_SHOT_TOKENS,
) -> SelectResult:
    """Choose, per cluster, the cheapest candidate that agrees with the LLM well enough.

    Args:
        clustering: S3's clusters and assignments.
        examples: S2's curated examples (eval split replayed, train split for shots).
        candidates: Catalog names, GGUF paths, :class:`Candidate` objects, or a
            mapping ``name -> catalog name | path | BaseChatModel``.
        modes: Modes to try; ``"lora"`` runs only where ``loras`` has an adapter.
        loras: ``(cluster id, candidate name) -> GGUF LoRA adapter``.
        threshold: Share of the LLM's self-agreement a candidate must reach.
        min_agreement: Required accuracy where self-agreement is not measurable.
        alternates: ``call_id -> other LLM answers`` to the identical request
            (lossless ``AIMessage`` dicts), to measure the LLM's self-agreement.
        few_shot_k: Shots per cluster for ``few-shot``.
        max_eval: Eval calls replayed per cluster at most (``None``: all).
        embedder: For text similarity; the bundled all-MiniLM-L6-v2 by default.
        judge: Optional LLM judge for free-text answers.
        previous: Each cluster's tier in the artifact being replaced.
        progress: Show a progress bar (on stderr).
        text_threshold: Similarity at which two texts agree.
        max_shot_tokens: Estimated token budget of a cluster's shots.

    Raises:
        PipelineError: No candidates or no examples, bad thresholds or modes, or
            no example belongs to a cluster of ``clustering``.
    """
    check_arguments(modes, threshold, min_agreement, few_shot_k, max_eval)
    pool = resolve_candidates(candidates)
    by_cluster = group_by_cluster(clustering, examples)
    plans = [
        plan_cluster(
            c.id,
            by_cluster.get(c.id, []),
            clustering,
            modes=modes,
            k=few_shot_k,
            max_eval=max_eval,
        )
        for c in clustering.clusters
    ]
    scoring = _Scoring(embedder, judge, text_threshold, max_shot_tokens)
    # Measured before any model loads: a malformed alternate fails in seconds, not hours.
    requirements = {
        plan.cluster_id: _requirement(
            by_cluster.get(plan.cluster_id, []),
            alternates or {},
            threshold,
            min_agreement,
            scoring,
        )
        for plan in plans
    }
    adapters = dict(loras or {}) if "lora" in modes else {}
    jobs = replay_jobs(pool, plans, modes, adapters)
    total = sum(len(plan.requests) for _, _, batch in jobs for plan, _ in batch)
    scores: list[CandidateScore] = []
    with progress_bar("replaying", total, enabled=progress, transient=False) as bar:
        for candidate, lora, batch in jobs:
            scores.extend(_run(candidate, lora, batch, scoring, bar))
    grouped: dict[int, list[CandidateScore]] = defaultdict(list)
    for score in scores:
        grouped[score.cluster_id].append(score)
    selections = [
        decide(
            plan.cluster_id,
            grouped[plan.cluster_id],
            requirements[plan.cluster_id],
            n_eval=len(plan.requests),
            previous=(previous or {}).get(plan.cluster_id),
        )
        for plan in plans
    ]
    shots = {plan.cluster_id: plan.shots for plan in plans if plan.shots}
    return SelectResult(scores, selections, shots)


def _run(
    candidate: Candidate,
    lora: Path | None,
    batch: Batch,
    scoring: _Scoring,
    bar: ProgressBar,
) -> list[CandidateScore]:
    footprint = candidate.footprint_with(lora)
    bar.describe(f"loading {candidate.name}" + (f" + {lora.name}" if lora else ""))
    try:
        model = load_candidate(candidate, lora)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        bar.advance(sum(len(plan.requests) for plan, _ in batch))
        return [
            _failed(plan, _Row(candidate.name, mode, footprint, lora), error)
            for plan, mode in batch
        ]
    try:
        rows = []
        for plan, mode in batch:
            bar.describe(f"{candidate.name} {mode} · cluster {plan.cluster_id}")
            served = (
                FewShotChatModel(
                    model=model, shots=plan.shots, max_shot_tokens=scoring.max_shot_tokens
                )
                if mode == "few-shot"
                else model
            )
            outcomes = []
            for request in plan.requests:
                outcomes.append(
                    replay(
                        request,
                        served,
                        embedder=scoring.embedder,
                        judge=scoring.judge,
                        text_threshold=scoring.text_threshold,
                    )
                )
                bar.advance()
            rows.append(_summarise(plan, _Row(candidate.name, mode, footprint, lora), outcomes))
        return rows
    finally:
        release_candidate(candidate, model)


def _summarise(plan: ClusterPlan, row: _Row, outcomes: Sequence[CallOutcome]) -> CandidateScore:
    n = len(outcomes)
    verdicts = [o.score for o in outcomes if o.score is not None]
    similarities = [v.similarity for v in verdicts if v.similarity is not None]
    details: dict[str, Any] = {"calls": [o.to_dict() for o in outcomes]}
    if row.mode == "few-shot":
        details["shots"] = [shot.call_id for shot in plan.shots]
    first_error = next((o.error for o in outcomes if o.error is not None), None)
    if first_error is not None:
        details["first_error"] = first_error
    return CandidateScore(
        cluster_id=plan.cluster_id,
        candidate=row.candidate,
        mode=row.mode,
        n=n,
        accuracy=sum(v.correct for v in verdicts) / n,
        validity=sum(v.valid for v in verdicts) / n,
        latency_ms=statistics.median(o.latency_ms for o in outcomes),
        footprint_mb=row.footprint_mb,
        metric=plan.metric,
        similarity=statistics.fmean(similarities) if similarities else None,
        errors=n - len(verdicts),
        lora=str(row.lora) if row.lora is not None else None,
        details=details,
    )


def _failed(plan: ClusterPlan, row: _Row, error: str) -> CandidateScore:
    n = len(plan.requests)
    return CandidateScore(
        cluster_id=plan.cluster_id,
        candidate=row.candidate,
        mode=row.mode,
        n=n,
        accuracy=0.0,
        validity=0.0,
        latency_ms=0.0,
        footprint_mb=row.footprint_mb,
        metric=plan.metric,
        errors=n,
        lora=str(row.lora) if row.lora is not None else None,
        details={"load_error": error},
    )


def _requirement(
    members: Sequence[Example],
    alternates: Mapping[str, Sequence[Mapping[str, Any]]],
    threshold: float,
    min_agreement: float,
    scoring: _Scoring,
) -> Requirement:
    # Only requests with alternates are rebuilt: self-agreement needs nothing else.
    with_alternates = [e for e in members if alternates.get(e.call_id)]
    return requirement(
        requests_for(with_alternates),
        alternates,
        threshold=threshold,
        min_agreement=min_agreement,
        embedder=scoring.embedder,
        judge=scoring.judge,
        text_threshold=scoring.text_threshold,
    )


__all__ = ["SelectResult", "select"]
