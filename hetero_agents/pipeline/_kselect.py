"""Choosing the number of clusters, and fitting them: weighted k-means on unit vectors.

Why k-means with ``k`` chosen by silhouette, and not HDBSCAN: a router needs
every call in a cluster with a centroid and a radius (HDBSCAN leaves "noise"
calls out and has no centroids), and k-means scales linearly in the number of
calls, where HDBSCAN's neighbour searches in 384 dimensions (no space-partitioning
tree helps there) grow quadratically (not measured here). The silhouette (how much closer a
call is to its own cluster than to the next one, -1..1) is a stated,
label-free criterion that peaks where clusters are compact and apart.

A known bias, stated: when the calls are many rewordings of a few templates,
each template is itself a tight group, and the silhouette may prefer one
cluster per template over one per task once ``k_max`` allows it. Such clusters
are still pure (one task each), only finer than the task.

How it scales: ``k`` is chosen on a seeded sample of :data:`SAMPLE` calls
(drawn in proportion to how often each distinct text occurred). One Ward tree
over the sample yields a partition for every candidate ``k`` at once, and each
costs one pass over a precomputed distance matrix to score; then one k-means
over every distinct text, started from the chosen partition's centres, fits
it. Vectors are unit length, so squared Euclidean distance is twice the cosine
distance: k-means here is spherical k-means up to the final normalisation of
the centres.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hetero_agents._extras import require
from hetero_agents.pipeline._progress import progress_bar

if TYPE_CHECKING:
    from numpy.typing import NDArray

SAMPLE = 3000
"""Calls on which ``k`` is chosen: silhouettes then cost a 3000x3000 matrix, ~36 MB."""

MIN_SILHOUETTE = 0.25
"""Below this best silhouette the calls form one cluster: Kaufman and Rousseeuw's
(1990) rule of thumb reads a silhouette of 0.25 or less as "no substantial
structure". It keeps a handful of similar calls (a small incremental batch, one
task's calls) from being cut into arbitrary pieces."""

_N_INIT = 3


@dataclass(frozen=True, slots=True)
class KChoice:
    """The chosen ``k``, every candidate's silhouette and the sample's centres for it."""

    k: int
    scores: dict[int, float]
    centers: NDArray[np.float64] | None


def choose_k(
    vectors: NDArray[np.float32],
    weights: NDArray[np.float64],
    *,
    k_max: int,
    seed: int,
    progress: bool = True,
) -> KChoice:
    """The ``k`` in ``2..k_max`` with the highest weighted silhouette (ties: the smaller).

    If even the best silhouette is below :data:`MIN_SILHOUETTE`, ``k`` is 1
    (the scores are still returned, to show why).

    The candidate partitions are the cuts of one Ward tree over the sample, so
    trying every ``k`` costs one ``O(n^2)`` tree and one silhouette per ``k``
    instead of one k-means per ``k``; Ward merges whichever two clusters least
    increase the within-cluster sum of squares, the very quantity k-means
    minimises, so its cuts are the partitions k-means would refine. The tree
    sees each sampled text once (Ward takes no weights); the silhouette and the
    final k-means weigh texts by how often they occurred. Fewer than
    3 distinct vectors leave no ``k`` the silhouette can score (it needs
    ``2 <= k < n``), so ``k`` is then 1.
    """
    points, point_weights = _sample(vectors, weights, seed)
    top = min(k_max, len(points) - 1)
    if top < 2:
        return KChoice(k=1, scores={}, centers=None)
    hierarchy = require("scipy.cluster.hierarchy", "pipeline")
    tree = hierarchy.linkage(points.astype(np.float64), method="ward")
    distances = _cosine_distances(points)
    scores: dict[int, float] = {}
    cuts: dict[int, NDArray[np.intp]] = {}
    with progress_bar("choosing k", top - 1, enabled=progress) as bar:
        for k in range(2, top + 1):
            raw = hierarchy.fcluster(tree, t=k, criterion="maxclust")
            _, labels = np.unique(raw, return_inverse=True)
            if labels.max() + 1 == k:  # tied merge heights can make a cut skip a k
                scores[k] = weighted_silhouette(distances, labels, point_weights)
                cuts[k] = labels
            bar.advance(1)
    best = max(scores, key=lambda k: (scores[k], -k), default=1)
    if best == 1 or scores[best] < MIN_SILHOUETTE:
        return KChoice(k=1, scores=scores, centers=None)
    member = np.zeros((best, len(points)))
    member[cuts[best], np.arange(len(points))] = point_weights
    centers = (member @ points.astype(np.float64)) / member.sum(axis=1, keepdims=True)
    return KChoice(k=best, scores=scores, centers=centers)


def fit_kmeans(
    vectors: NDArray[np.float32],
    weights: NDArray[np.float64],
    k: int,
    *,
    seed: int,
    init: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
    """``k`` unit centroids over every vector, and each vector's nearest one by cosine.

    Labels are recomputed from the normalised centroids (not k-means' own), so
    a call's cluster is exactly the one the router's nearest-centroid search
    picks; a cluster left empty by that is dropped and the labels renumbered.
    """
    if k <= 1:
        return np.zeros(len(vectors), dtype=np.intp), _unit(_mean(vectors, weights)[None, :])
    if init is None and len(vectors) > SAMPLE:
        points, point_weights = _sample(vectors, weights, seed)
        seeded = _kmeans(k, seed, init="k-means++", n_init=_N_INIT)
        init = seeded.fit(points, sample_weight=point_weights).cluster_centers_
    if init is not None:
        model = _kmeans(k, seed, init=init, n_init=1)
    else:
        model = _kmeans(k, seed, init="k-means++", n_init=_N_INIT)
    with warnings.catch_warnings():
        # "fewer distinct points than clusters": handled below by dropping empty clusters
        warnings.filterwarnings("ignore", message="Number of distinct clusters")
        model.fit(vectors, sample_weight=weights)
    centroids = _unit(np.asarray(model.cluster_centers_, dtype=np.float32))
    labels = np.argmax(vectors @ centroids.T, axis=1)
    used = np.unique(labels)
    if len(used) < k:
        centroids = centroids[used]
        labels = np.searchsorted(used, labels)
    return labels.astype(np.intp), centroids


def weighted_silhouette(
    distances: NDArray[np.float64], labels: NDArray[Any], weights: NDArray[np.float64]
) -> float:
    """The silhouette of the data set in which point ``i`` occurs ``weights[i]`` times.

    ``a`` is the mean distance to the *other* calls of the own cluster (copies
    of the same text count, at distance 0), ``b`` the smallest mean distance to
    another cluster's calls; a call alone in its cluster scores 0, as in
    scikit-learn. Computed with one matrix product, ``O(n^2 k)``.
    """
    k = int(labels.max()) + 1
    member = np.zeros((len(labels), k))
    member[np.arange(len(labels)), labels] = weights
    sums = distances @ member
    mass = member.sum(axis=0)
    own = sums[np.arange(len(labels)), labels]
    own_mass = mass[labels] - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(own_mass > 0, own / np.maximum(own_mass, 1e-12), 0.0)
        others = sums / mass
    others[np.arange(len(labels)), labels] = np.inf
    b = others.min(axis=1)
    denom = np.maximum(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where((own_mass > 0) & (denom > 0), (b - a) / denom, 0.0)
    return float(np.average(s, weights=weights))


def _sample(
    vectors: NDArray[np.float32], weights: NDArray[np.float64], seed: int
) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Every distinct vector, or :data:`SAMPLE` calls drawn by weight, merged back to distinct."""
    if len(vectors) <= SAMPLE:
        return vectors, weights
    rng = np.random.default_rng(seed)
    drawn = rng.choice(len(vectors), size=SAMPLE, p=weights / weights.sum())
    rows, times = np.unique(drawn, return_counts=True)
    return vectors[rows], times.astype(np.float64)


def _cosine_distances(points: NDArray[np.float32]) -> NDArray[np.float64]:
    unit = _unit(points).astype(np.float64)
    distances = 1.0 - unit @ unit.T
    np.clip(distances, 0.0, 2.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    return distances


def _kmeans(k: int, seed: int, *, init: Any, n_init: int) -> Any:
    cluster = require("sklearn.cluster", "pipeline")
    return cluster.KMeans(n_clusters=k, init=init, n_init=n_init, random_state=seed)


def _mean(vectors: NDArray[np.float32], weights: NDArray[np.float64]) -> NDArray[np.float32]:
    mean: NDArray[np.float32] = np.average(vectors, axis=0, weights=weights).astype(np.float32)
    return mean


def _unit(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    unit: NDArray[np.float32] = (matrix / norms).astype(np.float32)
    return unit
