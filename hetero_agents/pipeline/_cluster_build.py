"""The steps S3 shares between a fresh clustering and an incremental one.

:func:`partition` groups distinct vectors (choosing ``k`` unless given) and
:func:`describe` turns a partition into :class:`Cluster` records: ids, labels,
radii, members, and each call's assignment and distance.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._cluster_labels import answer_tools, dominant, label, top_terms
from hetero_agents.pipeline._cluster_radius import cosine_distances, radius
from hetero_agents.pipeline._kselect import choose_k, fit_kmeans
from hetero_agents.pipeline.records import Cluster, Example

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hetero_agents.pipeline._embed_unique import UniqueTexts


@dataclass(frozen=True, slots=True)
class Partition:
    labels: NDArray[np.intp]
    centroids: NDArray[np.float32]
    criterion: dict[int, float]
    method: str


@dataclass(frozen=True, slots=True)
class Found:
    clusters: list[Cluster]
    assignments: dict[str, int]
    distances: dict[str, float]


def partition(
    vectors: NDArray[np.float32],
    weights: NDArray[np.float64],
    *,
    k: int | None,
    k_max: int,
    seed: int,
    progress: bool,
    times: dict[str, float],
) -> Partition:
    with timed(times, "choose_k"):
        if k is not None:
            chosen, criterion, init, method = min(k, len(vectors)), {}, None, "kmeans+fixed-k"
        else:
            choice = choose_k(vectors, weights, k_max=k_max, seed=seed, progress=progress)
            chosen, criterion, init = choice.k, choice.scores, choice.centers
            method = "kmeans+silhouette" if choice.k > 1 else "single"
    with timed(times, "fit"):
        labels, centroids = fit_kmeans(vectors, weights, chosen, seed=seed, init=init)
    return Partition(labels, centroids, criterion, method)


def describe(
    examples: Sequence[Example],
    unique: UniqueTexts,
    vectors: NDArray[np.float32],
    part: Partition,
    *,
    first_id: int,
    seed: int,
) -> Found:
    """Clusters (ids from ``first_id``) with labels and radii, and each call's place."""
    n_clusters = len(part.centroids)
    row_distance = cosine_distances(vectors, part.centroids, part.labels)
    terms = top_terms(unique.texts, part.labels, unique.counts, n_clusters, seed=seed)
    example_labels = part.labels[unique.inverse]
    order = np.argsort(example_labels, kind="stable")
    bounds = np.searchsorted(example_labels[order], np.arange(n_clusters + 1))
    clusters: list[Cluster] = []
    for j in range(n_clusters):
        members = [examples[i] for i in order[bounds[j] : bounds[j + 1]]]
        rows = part.labels == j
        task = dominant(example.task for example in members)
        node = dominant(example.node for example in members)
        tools = answer_tools(example.response for example in members)
        clusters.append(
            Cluster(
                id=first_id + j,
                label=label(terms[j], task=task, node=node, tools=tools),
                centroid=part.centroids[j],
                threshold=radius(row_distance[rows], unique.counts[rows]),
                size=len(members),
                top_terms=terms[j],
                node=node,
                task=task,
                tools=tools,
                call_ids=tuple(example.call_id for example in members),
            )
        )
    ids = [example.call_id for example in examples]
    return Found(
        clusters=clusters,
        assignments=dict(zip(ids, (first_id + example_labels).tolist(), strict=True)),
        distances=dict(zip(ids, row_distance[unique.inverse].tolist(), strict=True)),
    )


def check_unique_ids(examples: Sequence[Example]) -> None:
    counts = Counter(example.call_id for example in examples)
    if len(counts) != len(examples):
        repeated = sorted(call_id for call_id, n in counts.items() if n > 1)[:3]
        raise PipelineError(
            f"call ids repeat ({', '.join(repeated)}...): pass each curated call once"
        )


@contextmanager
def timed(times: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        times[stage] = times.get(stage, 0.0) + time.perf_counter() - start
