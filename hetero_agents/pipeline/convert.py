"""``convert``: the paper's S2-S6 in one go, over what ``CallLogger`` recorded.

curate -> cluster -> (finetune) -> select -> route -> drift -> report. Each stage
is recorded in the log database as it finishes, so a run that is interrupted
keeps what it completed, never publishes a half-built artifact (publishing is
one atomic rename), and the next ``convert`` picks up from the stored results:
new calls join existing clusters or form new ones, every cluster is
re-evaluated, and promotions and demotions are recorded with their reasons.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hetero_agents.pipeline import stages
from hetero_agents.pipeline.records import Clustering, DriftFlag, Mode
from hetero_agents.pipeline.store import PipelineStore

if TYPE_CHECKING:
    from hetero_agents.logs.store import LogStore
    from hetero_agents.pipeline.curate import CurateResult
    from hetero_agents.pipeline.registry import ArtifactVersion
    from hetero_agents.pipeline.report import Comparison
    from hetero_agents.pipeline.select import SelectResult
    from hetero_agents.redaction import Redactor
    from hetero_agents.routing.embedders import Embedder


@dataclass(frozen=True, slots=True)
class ConvertResult:
    """Everything one ``convert`` produced."""

    curated: CurateResult
    clustering: Clustering
    selected: SelectResult
    version: ArtifactVersion
    drift: list[DriftFlag] = field(default_factory=list)
    adapters: dict[tuple[int, str], Path] = field(default_factory=dict)
    report: Path | None = None

    @property
    def artifact_path(self) -> Path:
        """The published router artifact (``ClusterPolicy(result.artifact_path)``)."""
        return self.version.path

    @property
    def slm_share(self) -> float:
        """Share of the curated calls whose cluster is now served by an SLM."""
        tiers = {s.cluster_id: s.tier for s in self.selected.selections}
        assigned = list(self.clustering.assignments.values())
        if not assigned:
            return 0.0
        return sum(tiers.get(c) == "slm" for c in assigned) / len(assigned)


def convert(
    logs: LogStore | str | os.PathLike[str],
    *,
    redactor: Redactor | None = None,
    surrogates: bool = False,
    embedder: Embedder | None = None,
    candidates: Sequence[Any] | Mapping[str, Any] | None = None,
    modes: Sequence[Mode] = ("zero-shot", "few-shot"),
    finetune: bool = False,
    finetune_models: Sequence[str] = ("smollm2-135m",),
    finetune_steps: int = 60,
    threshold: float = 0.95,
    min_agreement: float = 0.8,
    max_eval: int | None = 50,
    root: str | os.PathLike[str] | None = None,
    report: str | os.PathLike[str] | None = None,
    comparison: Comparison | None = None,
    seed: int = 0,
    progress: bool = True,
) -> ConvertResult:
    """Run S2-S6 on a log database and publish the router artifact the router loads.

    Args:
        logs: The log database (a ``LogStore`` or its path).
        redactor: Re-scrubs the logged calls (default ``DefaultRedactor``).
        surrogates: Replace names and numbers with consistent surrogates (S2).
        embedder: S3's embedder (default: the bundled all-MiniLM-L6-v2).
        candidates: SLMs to evaluate (default: the installed catalog SLMs).
        modes: Specialisations to compare; ``finetune=True`` adds ``"lora"``.
        finetune: Distil a LoRA per cluster into ``finetune_models`` first (S5).
        finetune_models: Catalog SLMs to fine-tune.
        finetune_steps: Training steps per cluster and model.
        threshold: A candidate must reach this share of the LLM's self-agreement.
        min_agreement: ... or this agreement where self-agreement is not measurable.
        max_eval: Eval calls replayed per cluster at most.
        root: Artifact directory (default ``router/`` next to the database).
        report: Where to write the HTML report (default ``report.html`` next to
            the database; ``""`` for none).
        comparison: Demo figures (LLM-only vs routed) to include in the report.
        seed: Makes the split, clustering and sampling reproducible.
        progress: Show progress bars.

    Raises:
        PipelineError: The log holds nothing to learn from, or a stage cannot run.
    """
    from hetero_agents.logs.store import LogStore

    own = not isinstance(logs, LogStore)
    log_store = LogStore(logs) if not isinstance(logs, LogStore) else logs
    try:
        store = PipelineStore(log_store)
        curated = stages.run_curate(
            store, redactor=redactor, surrogates=surrogates, seed=seed, progress=progress
        )
        clustering = stages.run_cluster(store, embedder=embedder, seed=seed, progress=progress)
        adapters: dict[tuple[int, str], Path] = {}
        chosen_modes = list(modes)
        if finetune:
            adapters = stages.run_finetune(
                store, models=finetune_models, steps=finetune_steps, seed=seed, progress=progress
            )
            if "lora" not in chosen_modes:
                chosen_modes.append("lora")
        selected = stages.run_select(
            store,
            candidates=candidates,
            modes=chosen_modes,
            loras=adapters,
            threshold=threshold,
            min_agreement=min_agreement,
            max_eval=max_eval,
            embedder=embedder,
            progress=progress,
        )
        artifact_root = Path(root) if root is not None else None
        version = stages.run_route(store, root=artifact_root)
        drift = stages.run_drift(store, root=artifact_root)
        report_path = _write_report(store, report, comparison)
        return ConvertResult(
            curated=curated,
            clustering=clustering,
            selected=selected,
            version=version,
            drift=drift,
            adapters=adapters,
            report=report_path,
        )
    finally:
        if own:
            log_store.close()


def _write_report(
    store: PipelineStore, report: str | os.PathLike[str] | None, comparison: Comparison | None
) -> Path | None:
    if report is not None and str(report) == "":
        return None
    from hetero_agents.pipeline.report import report_data_from_store, write_report

    target = (
        Path(report)
        if report is not None
        else stages.default_artifact_root(store).parent / "report.html"
    )
    return write_report(report_data_from_store(store, comparison=comparison), target)


__all__ = ["ConvertResult", "convert"]
