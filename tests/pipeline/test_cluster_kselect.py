"""The model-selection pieces of S3: weighted silhouette, k choice, k-means fit."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from hetero_agents.pipeline import _kselect
from hetero_agents.pipeline._kselect import choose_k, fit_kmeans, weighted_silhouette


def blobs(centres: int, per: int, dim: int = 16, spread: float = 0.05, seed: int = 0):
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(centres, dim))
    points = np.repeat(means, per, axis=0) + spread * rng.normal(size=(centres * per, dim))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32), np.repeat(np.arange(centres), per)


def cosine(points):
    unit = points.astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    distances = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    distances[distances < 1e-12] = 0.0  # copies of one point, and the diagonal
    return distances


def test_unit_weights_match_scikit_learn():
    points, _ = blobs(3, 20, spread=0.6)
    labels = np.random.default_rng(1).integers(0, 4, len(points))
    distances = cosine(points)
    ours = weighted_silhouette(distances, labels, np.ones(len(points)))
    theirs = silhouette_score(distances, labels, metric="precomputed")
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_integer_weights_equal_repeated_points():
    points, truth = blobs(3, 6, spread=0.8, seed=2)
    weights = np.random.default_rng(3).integers(1, 4, len(points)).astype(float)
    labels = (truth + np.arange(len(truth)) % 2) % 3  # a partition that is not the truth
    expanded = np.repeat(points, weights.astype(int), axis=0)
    expanded_labels = np.repeat(labels, weights.astype(int))
    distances = cosine(points)
    ours = weighted_silhouette(distances, labels, weights)
    theirs = silhouette_score(cosine(expanded), expanded_labels, metric="precomputed")
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("centres", [2, 5, 9])
def test_choose_k_finds_separated_blobs(centres):
    points, _ = blobs(centres, 25, seed=centres)
    choice = choose_k(points, np.ones(len(points)), k_max=12, seed=0, progress=False)
    assert choice.k == centres
    assert set(choice.scores) <= set(range(2, 13))
    assert choice.centers is not None
    assert choice.centers.shape == (centres, points.shape[1])


def test_choose_k_on_a_sample_of_many_points(monkeypatch):
    monkeypatch.setattr(_kselect, "SAMPLE", 200)
    points, truth = blobs(6, 300, seed=4)
    choice = choose_k(points, np.ones(len(points)), k_max=10, seed=0, progress=False)
    assert choice.k == 6
    labels, centroids = fit_kmeans(
        points, np.ones(len(points)), choice.k, seed=0, init=choice.centers
    )
    assert centroids.shape == (6, points.shape[1])
    # every blob lands whole in one cluster, and blobs do not share one
    assert len(set(zip(truth.tolist(), labels.tolist(), strict=True))) == 6


def test_choose_k_needs_three_distinct_points():
    points, _ = blobs(2, 1)
    choice = choose_k(points, np.array([5.0, 1.0]), k_max=5, seed=0, progress=False)
    assert (choice.k, choice.scores, choice.centers) == (1, {}, None)


def test_weights_steer_the_fit():
    points = np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    _, light = fit_kmeans(points, np.array([1.0, 1.0, 1.0]), 1, seed=0)
    _, heavy = fit_kmeans(points, np.array([100.0, 1.0, 1.0]), 1, seed=0)
    assert heavy[0] @ points[0] > light[0] @ points[0]


def test_fit_drops_clusters_left_empty(recwarn):
    points = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (4, 1))
    points[2:] = [0.0, 1.0]
    labels, centroids = fit_kmeans(points, np.ones(4), 3, seed=0)  # 2 distinct points
    assert not recwarn.list
    assert len(centroids) == 2
    assert sorted(set(labels.tolist())) == [0, 1]


def test_one_blob_has_no_substantial_structure():
    points, _ = blobs(1, 60, spread=1.0, seed=5)
    choice = choose_k(points, np.ones(len(points)), k_max=8, seed=0, progress=False)
    assert choice.k == 1
    assert choice.centers is None
    assert sorted(choice.scores) == list(range(2, 9))
    assert max(choice.scores.values()) < _kselect.MIN_SILHOUETTE


def test_k_is_capped_so_that_clusters_hold_min_size_calls_on_average() -> None:
    from hetero_agents.errors import PipelineError
    from hetero_agents.pipeline.cluster import size_capped

    assert size_capped(40, 24, 5) == 4
    assert size_capped(40, 1000, 5) == 40
    assert size_capped(40, 3, 5) == 2  # two clusters stay possible on a tiny log
    with pytest.raises(PipelineError, match="min_size"):
        size_capped(40, 10, 0)
