"""S6 `route`: turn the pipeline's decisions into a versioned router artifact.

The clustering (S3) says how to recognise each task; the selections (S4/S5) say
who serves it. :func:`build_artifact` joins the two into a
:class:`~hetero_agents.routing.artifact.RouterArtifact` — one cluster spec per
cluster, with the chosen model, its LoRA adapter or few-shot examples, and the
distance threshold beyond which a call is "unlike anything evaluated" and goes
to the LLM. :func:`route` also publishes it as the next version of an
:class:`~hetero_agents.pipeline.registry.ArtifactRegistry`, which is what
``ClusterPolicy`` loads.

A cluster without a selection, or whose selection names no SLM, stays on the
LLM: the pipeline only moves traffic it has evidence for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from hetero_agents.errors import PipelineError
from hetero_agents.routing.artifact import ClusterSpec, EmbeddingSpec, RouterArtifact

if TYPE_CHECKING:
    from hetero_agents.pipeline.records import Cluster, Clustering, Example, Selection
    from hetero_agents.pipeline.registry import ArtifactVersion

MIN_THRESHOLD: Final = 1e-3
"""Smallest distance threshold written. A one-call cluster has a zero spread, but a
threshold of exactly 0 would send even a re-embedding of the same call (float noise)
to the LLM."""


def build_artifact(
    clustering: Clustering,
    selections: Sequence[Selection],
    *,
    shots: Mapping[int, Sequence[Example]] | None = None,
    min_mean_logprob: float | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> RouterArtifact:
    """The router artifact for a clustering and the per-cluster selections.

    Args:
        clustering: S3's clusters (centroids, thresholds, labels) and embedder.
        selections: S4's decision per cluster; clusters without one stay on the LLM.
        shots: Few-shot examples per cluster id; used for clusters whose selection
            chose ``mode="few-shot"`` (others are ignored), and required for them.
        min_mean_logprob: Make the router check the SLM's confidence on every SLM
            cluster (escalating answers below it).
        metadata: Extra provenance for the manifest (run ids, data window).

    Returns:
        The artifact, not yet saved. Its metadata records the selection reasons and
        a ``drift_baseline`` (the share of the clustered calls that lie beyond
        their cluster's threshold) for :func:`~hetero_agents.pipeline.drift.detect_drift`.

    Raises:
        PipelineError: No clusters, a selection for an unknown cluster, two for one
            cluster, an SLM selection without a model, a LoRA selection without an
            adapter, or a few-shot selection without shots.
    """
    if not clustering.clusters:
        raise PipelineError(
            "the clustering has no clusters, so there is nothing to route; log more calls "
            "and re-run `cluster`"
        )
    chosen = _by_cluster(clustering, selections)
    few_shots = shots or {}
    specs: list[ClusterSpec] = []
    attached: dict[int, Sequence[Example]] = {}
    for cluster in clustering.clusters:
        selection = chosen.get(cluster.id)
        spec = _spec(cluster, selection, min_mean_logprob)
        if selection is not None and spec.tier == "slm" and selection.mode == "few-shot":
            examples = few_shots.get(cluster.id)
            if not examples:
                raise PipelineError(
                    f"cluster {cluster.id} was selected for few-shot serving but no shots were "
                    "given for it; pass shots={cluster_id: examples} (its train split)"
                )
            attached[cluster.id] = examples
        specs.append(spec)
    centroids = np.stack([np.asarray(c.centroid, dtype=np.float32) for c in clustering.clusters])
    embedding = EmbeddingSpec(
        model=clustering.embedder, dim=clustering.dim, text_version=clustering.text_version
    )
    provenance: dict[str, Any] = {
        "clustering_method": clustering.method,
        "reasons": {str(s.cluster_id): s.reason for s in chosen.values()},
        "drift_baseline": {"far_calls": far_share(clustering)},
    }
    return RouterArtifact(
        embedding, specs, centroids, shots=attached, metadata={**provenance, **(metadata or {})}
    )


def route(
    clustering: Clustering,
    selections: Sequence[Selection],
    root: str | Path,
    *,
    shots: Mapping[int, Sequence[Example]] | None = None,
    min_mean_logprob: float | None = None,
    metadata: Mapping[str, Any] | None = None,
    extra_files: Mapping[str, Path] | None = None,
    activate: bool = True,
) -> ArtifactVersion:
    """Build the artifact and publish it as the next version under ``root``.

    See :func:`build_artifact` for the arguments it shares, and
    :meth:`~hetero_agents.pipeline.registry.ArtifactRegistry.publish` for
    ``extra_files`` and ``activate``.

    Returns:
        The published version (``ClusterPolicy(version.path)`` serves it).
    """
    from hetero_agents.pipeline.registry import ArtifactRegistry

    artifact = build_artifact(
        clustering,
        selections,
        shots=shots,
        min_mean_logprob=min_mean_logprob,
        metadata=metadata,
    )
    return ArtifactRegistry(root).publish(artifact, extra_files=extra_files, activate=activate)


def far_share(clustering: Clustering) -> float:
    """Share of the clustered calls farther from their centroid than its threshold.

    It is what the live router should see as "far" if traffic does not change,
    so it is the baseline against which drift in far calls is judged.
    """
    thresholds = {cluster.id: cluster.threshold for cluster in clustering.clusters}
    total = far = 0
    for call_id, cluster_id in clustering.assignments.items():
        distance = clustering.distances.get(call_id)
        if distance is None or cluster_id not in thresholds:
            continue
        total += 1
        far += distance > max(thresholds[cluster_id], MIN_THRESHOLD)
    return far / total if total else 0.0


def _by_cluster(clustering: Clustering, selections: Sequence[Selection]) -> dict[int, Selection]:
    known = {cluster.id for cluster in clustering.clusters}
    chosen: dict[int, Selection] = {}
    for selection in selections:
        if selection.cluster_id not in known:
            raise PipelineError(
                f"a selection names cluster {selection.cluster_id}, which this clustering does "
                "not have; re-run `select` on the current clustering"
            )
        if selection.cluster_id in chosen:
            raise PipelineError(f"cluster {selection.cluster_id} has two selections; keep one")
        chosen[selection.cluster_id] = selection
    return chosen


def _spec(
    cluster: Cluster, selection: Selection | None, min_mean_logprob: float | None
) -> ClusterSpec:
    common: dict[str, Any] = {
        "id": cluster.id,
        "label": cluster.label,
        "task": cluster.task,
        "threshold": min(max(float(cluster.threshold), MIN_THRESHOLD), 2.0),
        "size": cluster.size,
        "score": selection.score if selection is not None else None,
    }
    if selection is None or selection.tier != "slm":
        return ClusterSpec(tier="llm", **common)
    if not selection.model:
        raise PipelineError(f"cluster {cluster.id} is selected for an SLM but names no model")
    lora = None
    if selection.mode == "lora":
        if not selection.lora:
            raise PipelineError(
                f"cluster {cluster.id} is selected for LoRA serving but names no adapter; "
                "run `finetune` first or select another mode"
            )
        lora = str(Path(selection.lora).resolve())
    return ClusterSpec(
        tier="slm",
        model=selection.model,
        lora=lora,
        min_mean_logprob=min_mean_logprob,
        **common,
    )
