"""Each pipeline stage run against the log database: read inputs, run, save results.

The stage functions themselves (:func:`~hetero_agents.pipeline.curate.curate`,
:func:`~hetero_agents.pipeline.cluster.cluster`, ...) are pure functions over
records; the ``run_*`` functions here are what the CLI and ``convert`` call:
they read the previous stage's results from the
:class:`~hetero_agents.pipeline.store.PipelineStore`, run the stage inside a
recorded run (marked failed if it raises, so a half-done stage never becomes
the input of the next one), and save what it produced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline.records import MODES, Clustering, DriftFlag, Example, Mode, Tier

if TYPE_CHECKING:
    from hetero_agents.pipeline.curate import CurateResult
    from hetero_agents.pipeline.registry import ArtifactVersion
    from hetero_agents.pipeline.select import SelectResult
    from hetero_agents.pipeline.store import PipelineStore
    from hetero_agents.redaction import Redactor
    from hetero_agents.routing.embedders import Embedder

DEFAULT_CANDIDATES: tuple[str, ...] = ("smollm2-135m", "qwen2.5-coder-0.5b")
"""Catalog SLMs tried by ``select`` when none are named (the installed ones are used)."""


def default_artifact_root(store: PipelineStore) -> Path:
    """``router/`` next to the log database (or in the working directory for in-memory logs)."""
    path = store.logs.path
    return (path.parent if path is not None else Path.cwd()) / "router"


def installed_candidates(names: Sequence[str] = DEFAULT_CANDIDATES) -> list[str]:
    """The catalog models among ``names`` whose weights are available here."""
    from hetero_agents.models.catalog import CATALOG
    from hetero_agents.models.store import ModelStatus, ModelStore

    models = ModelStore()
    return [
        name
        for name in names
        if name in CATALOG and models.status(CATALOG[name]) is not ModelStatus.MISSING
    ]


# --- S2 ---------------------------------------------------------------------------------------


def run_curate(
    store: PipelineStore,
    *,
    redactor: Redactor | None = None,
    surrogates: bool = False,
    eval_fraction: float = 0.2,
    seed: int = 0,
    progress: bool = True,
) -> CurateResult:
    """S2 over every call in the log; the examples carry their alternates (S4's reference)."""
    from hetero_agents.pipeline.curate import curate

    params = {"surrogates": surrogates, "eval_fraction": eval_fraction, "seed": seed}
    with store.run("curate", params) as run:
        result = curate(
            store.logs.calls(),
            redactor=redactor,
            surrogates=surrogates,
            eval_fraction=eval_fraction,
            seed=seed,
            progress=progress,
        )
        examples = [
            replace(e, alternates=list(result.alternates.get(e.call_id, ())))
            for e in result.examples
        ]
        store.save_examples(run.id, examples)
        _summarise(
            run.summary,
            n_in=result.n_in,
            kept=len(examples),
            train=len(result.train),
            eval=len(result.eval),
            dropped=result.dropped,
            notes=result.notes,
            rescrubbed=result.rescrubbed,
        )
    return replace(result, examples=examples)


# --- S3 ---------------------------------------------------------------------------------------


def run_cluster(
    store: PipelineStore,
    *,
    embedder: Embedder | None = None,
    k: int | None = None,
    incremental: bool = True,
    seed: int = 0,
    progress: bool = True,
) -> Clustering:
    """S3 on the latest curated examples; incremental on top of the previous clustering."""
    from hetero_agents.pipeline.cluster import cluster, update_clustering

    examples = _need_examples(store)
    previous = store.clustering() if incremental and k is None else None
    if (
        previous is not None
        and embedder is not None
        and _embedder_name(embedder) != previous.embedder
    ):
        previous = None  # another embedding space: start over
    if previous is not None and embedder is None:
        from hetero_agents.routing.embedders import embedder_named

        embedder = embedder_named(previous.embedder)  # stay in the previous clustering's space
    params = {"k": k, "incremental": previous is not None, "seed": seed}
    with store.run("cluster", params) as run:
        if previous is not None:
            clustering = update_clustering(
                previous, examples, embedder=embedder, seed=seed, progress=progress
            )
        else:
            clustering = cluster(examples, embedder=embedder, k=k, seed=seed, progress=progress)
        store.save_clustering(run.id, clustering)
        _summarise(
            run.summary,
            clusters=len(clustering.clusters),
            calls=len(clustering.assignments),
            method=clustering.method,
            embedder=clustering.embedder,
        )
    return clustering


# --- S5 finetune ------------------------------------------------------------------------------


def run_finetune(
    store: PipelineStore,
    *,
    models: Sequence[str] = ("smollm2-135m",),
    out: Path | None = None,
    steps: int = 60,
    min_train: int = 4,
    clusters: Sequence[int] | None = None,
    seed: int = 0,
    progress: bool = True,
) -> dict[tuple[int, str], Path]:
    """LoRA-distil each cluster's train split into each of ``models``; adapters as GGUF.

    Clusters with fewer than ``min_train`` train examples are skipped (too little to
    learn from; their LoRA mode is simply not evaluated).
    """
    from hetero_agents.pipeline.finetune import finetune

    clustering = _need_clustering(store)
    examples = _need_examples(store)
    out_dir = out or default_artifact_root(store).parent / "loras"
    by_cluster = clustering.group(examples, split="train")
    wanted = set(clusters) if clusters is not None else None
    adapters: dict[tuple[int, str], Path] = {}
    params = {"models": list(models), "steps": steps, "seed": seed, "out": str(out_dir)}
    with store.run("finetune", params) as run:
        for cluster_id, train in sorted(by_cluster.items()):
            if (wanted is not None and cluster_id not in wanted) or len(train) < min_train:
                continue
            for model in models:
                target = out_dir / f"{_slug(model)}-c{cluster_id}.gguf"
                result = finetune(
                    train, base_model=model, out=target, steps=steps, seed=seed, progress=progress
                )
                adapters[(cluster_id, model)] = result.path
        _summarise(
            run.summary,
            adapters={f"{c}:{m}": str(p) for (c, m), p in adapters.items()},
        )
    return adapters


def latest_adapters(store: PipelineStore) -> dict[tuple[int, str], Path]:
    """The adapters of the latest finetune run (that still exist on disk)."""
    runs = [r for r in store.runs("finetune") if r.status == "ok"]
    if not runs:
        return {}
    adapters: dict[tuple[int, str], Path] = {}
    for key, path in (runs[-1].summary.get("adapters") or {}).items():
        cluster_id, _, model = str(key).partition(":")
        if Path(path).is_file():
            adapters[(int(cluster_id), model)] = Path(path)
    return adapters


# --- S4 ---------------------------------------------------------------------------------------


def run_select(
    store: PipelineStore,
    *,
    candidates: Sequence[Any] | Mapping[str, Any] | None = None,
    modes: Sequence[Mode] = ("zero-shot", "few-shot"),
    loras: Mapping[tuple[int, str], Path] | None = None,
    threshold: float = 0.95,
    min_agreement: float = 0.8,
    few_shot_k: int = 3,
    max_eval: int | None = 50,
    embedder: Embedder | None = None,
    progress: bool = True,
) -> SelectResult:
    """S4: replay every cluster's eval split on the candidates; choose per cluster."""
    from hetero_agents.pipeline.select import select

    clustering = _need_clustering(store)
    examples = _need_examples(store)
    chosen = candidates if candidates is not None else installed_candidates()
    if not chosen:
        raise PipelineError(
            "no candidate SLM is installed: run `hetero-agents models pull smollm2-135m` "
            "(or name candidates with --candidate)"
        )
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise PipelineError(f"unknown mode(s) {unknown}; choose from {', '.join(MODES)}")
    adapters = dict(loras if loras is not None else latest_adapters(store))
    if "lora" not in modes:
        adapters = {}
    params = {
        "candidates": [_candidate_name(c) for c in chosen],
        "modes": list(modes),
        "threshold": threshold,
        "min_agreement": min_agreement,
        "few_shot_k": few_shot_k,
        "max_eval": max_eval,
    }
    with store.run("select", params) as run:
        result = select(
            clustering,
            examples,
            chosen,
            modes=modes,
            loras=adapters,
            threshold=threshold,
            min_agreement=min_agreement,
            alternates={e.call_id: e.alternates for e in examples if e.alternates},
            few_shot_k=few_shot_k,
            max_eval=max_eval,
            embedder=embedder,
            previous=previous_tiers(store),
            progress=progress,
        )
        store.save_scores(run.id, result.scores)
        store.save_selections(run.id, result.selections)
        _summarise(
            run.summary,
            slm_clusters=sum(s.tier == "slm" for s in result.selections),
            clusters=len(result.selections),
            promoted=[s.cluster_id for s in result.selections if s.change == "promoted"],
            demoted=[s.cluster_id for s in result.selections if s.change == "demoted"],
        )
    return result


def previous_tiers(store: PipelineStore) -> dict[int, Tier]:
    """Cluster id -> tier in the active artifact (for promotions and demotions)."""
    active = store.active_artifact()
    if active is None or not active.path.exists():
        return {}
    from hetero_agents.routing.artifact import RouterArtifact

    try:
        artifact = RouterArtifact.load(active.path)
    except Exception:  # a broken old artifact only loses the comparison
        return {}
    return {cluster.id: cluster.tier for cluster in artifact.clusters}


# --- S6 ---------------------------------------------------------------------------------------


def run_route(
    store: PipelineStore,
    *,
    root: Path | None = None,
    min_mean_logprob: float | None = None,
) -> ArtifactVersion:
    """S6: publish the latest selections as the next router artifact version, and record it."""
    from hetero_agents.pipeline.fewshot import choose_shots
    from hetero_agents.pipeline.route import route

    clustering = _need_clustering(store)
    selections = store.selections()
    if not selections:
        raise PipelineError("no selections yet: run `hetero-agents select` first")
    examples = store.examples()
    select_runs = [r for r in store.runs("select") if r.status == "ok"]
    k = int(select_runs[-1].params.get("few_shot_k", 3)) if select_runs else 3
    by_cluster = clustering.group(examples, split="train")
    shots = {
        s.cluster_id: choose_shots(by_cluster.get(s.cluster_id, []), k, clustering.distances)
        for s in selections
        if s.tier == "slm" and s.mode == "few-shot"
    }
    target = root or default_artifact_root(store)
    with store.run("route", {"root": str(target)}) as run:
        version = route(
            clustering,
            selections,
            target,
            shots=shots,
            min_mean_logprob=min_mean_logprob,
            metadata={"pipeline_run": run.id},
        )
        n_slm = sum(s.tier == "slm" for s in selections)
        store.record_artifact(
            version.version,
            version.path,
            run.id,
            n_clusters=len(clustering.clusters),
            n_slm=n_slm,
            manifest_sha256=version.manifest_sha256,
        )
        _summarise(run.summary, version=version.version, path=str(version.path), n_slm=n_slm)
    return version


def rollback(
    store: PipelineStore, *, root: Path | None = None, to: int | None = None
) -> ArtifactVersion:
    """Make an older artifact version current again (the previous one by default)."""
    from hetero_agents.pipeline.registry import ArtifactRegistry

    version = ArtifactRegistry(root or default_artifact_root(store)).rollback(to)
    known = {a.version for a in store.artifacts()}
    if version.version in known:
        store.activate(version.version)
    return version


def run_drift(store: PipelineStore, *, root: Path | None = None) -> list[DriftFlag]:
    """Drift of live traffic against the active artifact (nothing to check without one)."""
    from hetero_agents.pipeline.drift import baseline_from, detect_drift
    from hetero_agents.pipeline.registry import ArtifactRegistry

    current = ArtifactRegistry(root or default_artifact_root(store)).current()
    if current is None:
        return []
    from hetero_agents.routing.artifact import RouterArtifact

    artifact = RouterArtifact.load(current.path)
    # The baseline is the first check of this artifact version (or, before any, what the
    # artifact itself recorded), so slow drift adds up instead of moving the baseline.
    first = next(
        (
            r.id
            for r in store.runs("drift")
            if r.status == "ok" and r.params.get("version") == current.version
        ),
        None,
    )
    baseline = baseline_from(store.drift(first)) if first is not None else None
    with store.run("drift", {"version": current.version}) as run:
        calls = store.logs.calls(status="ok", since=artifact.created_utc)
        flags = detect_drift(calls, artifact, baseline=baseline)
        store.save_drift(run.id, flags)
        _summarise(run.summary, flagged=sum(f.flagged for f in flags), checks=len(flags))
    return flags


# --- helpers ----------------------------------------------------------------------------------


def _need_examples(store: PipelineStore) -> list[Example]:
    examples = store.examples()
    if not examples:
        raise PipelineError("no curated examples yet: run `hetero-agents curate` first")
    return examples


def _need_clustering(store: PipelineStore) -> Clustering:
    clustering = store.clustering()
    if clustering is None:
        raise PipelineError("no clustering yet: run `hetero-agents cluster` first")
    return clustering


def _embedder_name(embedder: Embedder) -> str:
    return str(getattr(embedder, "name", type(embedder).__name__))


def _candidate_name(candidate: Any) -> str:
    return str(getattr(candidate, "name", candidate))


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in Path(name).stem or name)


def _summarise(summary: dict[str, Any] | None, **values: Any) -> None:
    if summary is not None:
        summary.update(values)


__all__ = [
    "DEFAULT_CANDIDATES",
    "default_artifact_root",
    "installed_candidates",
    "latest_adapters",
    "previous_tiers",
    "rollback",
    "run_cluster",
    "run_curate",
    "run_drift",
    "run_finetune",
    "run_route",
    "run_select",
]
