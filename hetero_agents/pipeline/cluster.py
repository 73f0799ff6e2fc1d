"""S3 ``cluster``: find the tasks an agent performs in its logged calls, without being told.

Each curated call's routing text (:func:`~hetero_agents.routing.text.routing_text`:
system prompt, last user turn, bound tool names; the string the live router
embeds) is embedded, the vectors are grouped with k-means, the number of
clusters chosen by the weighted silhouette over ``2..k_max``
(:mod:`~hetero_agents.pipeline._kselect` says why k-means, and how it scales),
and each cluster gets a readable label, a unit centroid and the radius within
which the router trusts it (:mod:`~hetero_agents.pipeline._cluster_radius`).

Cost: embedding is nearly all of it, so only *distinct* texts are embedded,
each weighted by how often it occurred, and the default MiniLM runs in
bfloat16 where the CPU has native support
(:func:`~hetero_agents.pipeline._embed_unique.default_embedder`). For very
large logs the static distillation of MiniLM (``--embedder minilm-static``)
embeds a text in about 0.4 ms instead of 10.
Choosing ``k`` works on a sample of 3000 calls and fitting is linear in the
calls, so both take seconds even at 100k calls. Texts that are all different
(the worst case) still cost one embedding each.

A later run need not start over: :func:`update_clustering` keeps every
cluster (and its id), adds the new calls that fall within a cluster's radius,
and clusters only the rest into new clusters (:func:`new_cluster_ids`).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._cluster_build import check_unique_ids, describe, partition, timed
from hetero_agents.pipeline._cluster_labels import answer_tools
from hetero_agents.pipeline._embed_unique import default_embedder, embed_texts, unique_texts
from hetero_agents.pipeline.records import Cluster, Clustering, Example
from hetero_agents.routing.text import TEXT_VERSION

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hetero_agents.routing.embedders import Embedder

MIN_SIZE = 10
"""Default calls per task below which ``k`` is not raised (see :func:`cluster`): with a
20 % eval split, about two held-out calls per task, the fewest S4 can judge on."""

STAGES = ("embed", "choose_k", "fit", "label")
"""The stages ``timings`` reports, in order."""


def size_capped(k_max: int, n_calls: int, min_size: int) -> int:
    """``k_max`` lowered so that clusters hold ``min_size`` calls on average (never below 2)."""
    if min_size < 1:
        raise PipelineError(f"min_size must be 1 or more, not {min_size}")
    return max(2, min(k_max, n_calls // min_size))


def cluster(
    examples: Sequence[Example],
    *,
    embedder: Embedder | None = None,
    k: int | None = None,
    k_max: int = 40,
    min_size: int = MIN_SIZE,
    seed: int = 0,
    progress: bool = True,
    timings: dict[str, float] | None = None,
) -> Clustering:
    """Group the calls into tasks, label them, and size each task's routing radius.

    Args:
        examples: Curated calls (S2); their ``text`` is what is embedded.
        embedder: The embedding model; by default the bundled all-MiniLM-L6-v2
            (bfloat16 where native). The router must embed live calls with the
            same model (either precision).
        k: A fixed number of clusters. ``None`` (default) chooses it by the
            silhouette. A ``k`` above the number of distinct texts is lowered
            to it (identical texts always share a cluster), with a warning.
        k_max: The largest ``k`` tried when choosing.
        min_size: Calls a task needs on average: ``k`` is chosen among at most
            ``len(examples) // min_size`` clusters (and at least 2), because a
            cluster too small to hold out eval calls can never be moved to an SLM.
        seed: Makes sampling and k-means reproducible.
        progress: Show progress bars (stderr) while embedding and choosing ``k``.
        timings: If given, filled with seconds per stage (:data:`STAGES`).

    Returns:
        The clustering. Every call lands in one cluster (``method="single"``)
        when there are fewer than 3 distinct texts (no ``k`` can be scored) or
        when no ``k`` reaches a silhouette of 0.25 (no substantial structure).

    Raises:
        PipelineError: No examples, repeated call ids, or ``k`` / ``k_max`` out
            of range.
    """
    if not examples:
        raise PipelineError(
            "there are no curated calls to cluster: record agent traffic with CallLogger, "
            "then run curate (hetero-agents curate) before cluster"
        )
    check_unique_ids(examples)
    if k is not None and k < 1:
        raise PipelineError(f"k must be 1 or more (or None to choose it), not {k}")
    if k_max < 2:
        raise PipelineError(f"k_max must be at least 2, not {k_max}")
    embedder = embedder or default_embedder()
    times = timings if timings is not None else {}
    with timed(times, "embed"):
        unique = unique_texts([example.text for example in examples])
        vectors = embed_texts(unique.texts, embedder, progress=progress)
    if k is not None and k > len(unique.texts):
        warnings.warn(
            f"k={k} but the calls have only {len(unique.texts)} distinct texts; "
            f"using k={len(unique.texts)}",
            UserWarning,
            stacklevel=2,
        )
    part = partition(
        vectors,
        unique.counts,
        k=k,
        k_max=size_capped(k_max, len(examples), min_size),
        seed=seed,
        progress=progress,
        times=times,
    )
    with timed(times, "label"):
        found = describe(examples, unique, vectors, part, first_id=0, seed=seed)
    return Clustering(
        clusters=found.clusters,
        assignments=found.assignments,
        distances=found.distances,
        embedder=embedder.name,
        dim=embedder.dim,
        text_version=TEXT_VERSION,
        criterion=part.criterion,
        method=part.method,
    )


def update_clustering(
    previous: Clustering,
    examples: Sequence[Example],
    *,
    embedder: Embedder | None = None,
    k_max: int = 40,
    min_size: int = MIN_SIZE,
    seed: int = 0,
    progress: bool = True,
    timings: dict[str, float] | None = None,
) -> Clustering:
    """Add new calls to an existing clustering without disturbing what it already decided.

    Calls already in ``previous`` are skipped. A new call whose nearest
    centroid is within that cluster's threshold joins it: the cluster keeps its
    id, label and threshold, and its centroid moves to the mean of old and new
    members (old members' recorded distances are not recomputed). The other
    new calls are clustered among themselves, as :func:`cluster` would, into
    clusters with fresh ids above every previous one; :func:`new_cluster_ids`
    lists them. ``criterion`` then holds the silhouettes of that sub-problem.

    Args:
        previous: The clustering of an earlier run.
        examples: Curated calls, old and new.
        embedder: Must be the model ``previous`` was built with (by default the
            bundled all-MiniLM-L6-v2).
        k_max: As for :func:`cluster`, for the new calls' clusters.
        min_size: As for :func:`cluster`, for the new calls' clusters.
        seed: As for :func:`cluster`.
        progress: As for :func:`cluster`.
        timings: As for :func:`cluster` (``label`` covers new clusters only).

    Raises:
        PipelineError: The embedder or the routing-text version differs from
            ``previous``'s (re-run :func:`cluster` from scratch), or call ids repeat.
    """
    check_unique_ids(examples)
    fresh = [example for example in examples if example.call_id not in previous.assignments]
    if previous.text_version != TEXT_VERSION:
        raise PipelineError(
            f"the previous clustering embedded routing texts {previous.text_version}, this "
            f"version makes {TEXT_VERSION}: run cluster() from scratch instead of updating"
        )
    if not fresh:
        return previous
    embedder = embedder or default_embedder()
    if (embedder.name, embedder.dim) != (previous.embedder, previous.dim):
        raise PipelineError(
            f"the previous clustering was built with {previous.embedder} ({previous.dim}-d), "
            f"not {embedder.name} ({embedder.dim}-d): pass that embedder, or run cluster() "
            "from scratch"
        )
    times = timings if timings is not None else {}
    with timed(times, "embed"):
        unique = unique_texts([example.text for example in fresh])
        vectors = embed_texts(unique.texts, embedder, progress=progress)
    rows = unique.inverse
    nearest, inside = _nearest_within(previous.clusters, vectors[rows])
    clusters: list[Cluster] = []
    assignments, distances = dict(previous.assignments), dict(previous.distances)
    for j, old in enumerate(previous.clusters):
        joining = np.flatnonzero(inside & (nearest == j))
        if len(joining) == 0:
            clusters.append(old)
            continue
        members = [fresh[i] for i in joining]
        grown = _grow(old, previous, members, vectors[rows[joining]])
        clusters.append(grown)
        member_distances = 1.0 - vectors[rows[joining]] @ grown.centroid
        for member, distance in zip(members, member_distances.tolist(), strict=True):
            assignments[member.call_id] = old.id
            distances[member.call_id] = distance
    criterion: dict[int, float] = {}
    method = f"incremental({previous.method})"
    outside = [fresh[i] for i in np.flatnonzero(~inside)]
    if outside:
        row_of = {text: row for row, text in enumerate(unique.texts)}
        sub = unique_texts([example.text for example in outside])
        sub_vectors = vectors[[row_of[text] for text in sub.texts]]
        part = partition(
            sub_vectors,
            sub.counts,
            k=None,
            k_max=size_capped(k_max, len(outside), min_size),
            seed=seed,
            progress=progress,
            times=times,
        )
        first_id = max((c.id for c in previous.clusters), default=-1) + 1
        with timed(times, "label"):
            found = describe(outside, sub, sub_vectors, part, first_id=first_id, seed=seed)
        clusters.extend(found.clusters)
        assignments.update(found.assignments)
        distances.update(found.distances)
        criterion, method = part.criterion, f"{method}+new:{part.method}"
    return dataclasses.replace(
        previous,
        clusters=clusters,
        assignments=assignments,
        distances=distances,
        criterion=criterion,
        method=method,
    )


def new_cluster_ids(previous: Clustering, updated: Clustering) -> tuple[int, ...]:
    """Ids of the clusters ``updated`` has and ``previous`` had not, in order."""
    known = {c.id for c in previous.clusters}
    return tuple(c.id for c in updated.clusters if c.id not in known)


def _nearest_within(
    clusters: Sequence[Cluster], vectors: NDArray[np.float32]
) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """Each vector's nearest cluster (by position) and whether it lies within its threshold."""
    if not clusters:
        return np.zeros(len(vectors), dtype=np.intp), np.zeros(len(vectors), dtype=bool)
    centroids = np.stack([c.centroid for c in clusters]).astype(np.float32)
    thresholds = np.array([c.threshold for c in clusters])
    similarity = vectors @ centroids.T
    nearest = np.argmax(similarity, axis=1)
    distance = 1.0 - similarity[np.arange(len(vectors)), nearest]
    return nearest.astype(np.intp), distance <= thresholds[nearest]


def _grow(
    old: Cluster, previous: Clustering, members: Sequence[Example], vectors: NDArray[np.float32]
) -> Cluster:
    """``old`` with ``members`` (embedded as ``vectors``) added; id, label and radius kept."""
    # The old members' vector sum is centroid * size * (their mean cosine to the centroid).
    old_distances = [previous.distances[c] for c in old.call_ids if c in previous.distances]
    resultant = 1.0 - float(np.mean(old_distances)) if old_distances else 1.0
    total = old.centroid.astype(np.float64) * old.size * resultant + vectors.sum(axis=0)
    centroid = (total / max(float(np.linalg.norm(total)), 1e-12)).astype(np.float32)
    new_tools = answer_tools(member.response for member in members)
    return dataclasses.replace(
        old,
        centroid=centroid,
        size=old.size + len(members),
        tools=tuple(dict.fromkeys((*old.tools, *new_tools))),
        call_ids=(*old.call_ids, *(member.call_id for member in members)),
    )


__all__ = ["MIN_SIZE", "STAGES", "cluster", "new_cluster_ids", "size_capped", "update_clustering"]
