"""Incremental S3: new calls join existing clusters or form new ones; old ids stay."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cluster_fakes import CountingEmbedder, example, workload

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline.cluster import (
    MIN_SIZE,
    cluster,
    new_cluster_ids,
    size_capped,
    update_clustering,
)
from hetero_agents.routing.embedders import HashingEmbedder

OLD = ("weather", "billing", "coding")


@pytest.fixture(scope="module")
def old_calls():
    return workload(OLD, 30, seed=1, prefix="old-")


@pytest.fixture(scope="module")
def previous(old_calls):
    return cluster(old_calls, embedder=HashingEmbedder(256), k_max=8, progress=False)


@pytest.fixture(scope="module")
def new_calls():
    # more of two known tasks, and two tasks never seen before
    return workload(("weather", "billing", "travel", "cooking"), 20, seed=2, prefix="new-")


@pytest.fixture(scope="module")
def updated(previous, old_calls, new_calls):
    return update_clustering(
        previous, [*old_calls, *new_calls], embedder=HashingEmbedder(256), k_max=8, progress=False
    )


def test_known_tasks_join_their_clusters_with_ids_kept(previous, updated, new_calls):
    by_task = {c.task: c for c in previous.clusters}
    for task in ("weather", "billing"):
        old = by_task[task]
        grown = updated.cluster(old.id)
        joined = [c.call_id for c in new_calls if c.task == task]
        assert all(updated.assignments[call_id] == old.id for call_id in joined)
        assert grown.size == old.size + len(joined)
        assert grown.call_ids == (*old.call_ids, *joined)
        assert (grown.label, grown.threshold) == (old.label, old.threshold)
        assert np.linalg.norm(grown.centroid) == pytest.approx(1.0, abs=1e-5)
    untouched = by_task["coding"]
    assert updated.cluster(untouched.id) is untouched


def test_unknown_tasks_form_new_clusters(previous, updated, new_calls):
    fresh = new_cluster_ids(previous, updated)
    assert len(fresh) == 2
    assert min(fresh) > max(c.id for c in previous.clusters)
    assert {updated.cluster(i).task for i in fresh} == {"travel", "cooking"}
    for task in ("travel", "cooking"):
        ids = {updated.assignments[c.call_id] for c in new_calls if c.task == task}
        assert len(ids) == 1
        assert ids <= set(fresh)
    assert updated.method == "incremental(kmeans+silhouette)+new:kmeans+silhouette"
    outside = sum(1 for c in new_calls if c.task in {"travel", "cooking"})
    top = size_capped(8, outside, MIN_SIZE)  # k is capped so tasks keep enough calls
    assert set(updated.criterion) == set(range(2, top + 1))


def test_old_calls_keep_their_assignment_and_distance(previous, updated):
    for call_id, cluster_id in previous.assignments.items():
        assert updated.assignments[call_id] == cluster_id
        assert updated.distances[call_id] == previous.distances[call_id]
    total = sum(c.size for c in updated.clusters)
    assert total == len(updated.assignments) == 90 + 80


def test_new_distances_are_to_the_updated_centroids(updated, new_calls):
    embedder = HashingEmbedder(256)
    vectors = embedder.embed([c.text for c in new_calls])
    for call, vector in zip(new_calls, vectors, strict=True):
        centroid = updated.cluster(updated.assignments[call.call_id]).centroid
        assert updated.distances[call.call_id] == pytest.approx(1.0 - vector @ centroid, abs=1e-5)


def test_the_centroid_moves_to_the_mean_of_all_members(old_calls, new_calls, previous, updated):
    embedder = HashingEmbedder(256)
    weather = next(c for c in previous.clusters if c.task == "weather")
    members = [c for c in [*old_calls, *new_calls] if c.task == "weather"]
    mean = embedder.embed([c.text for c in members]).mean(axis=0)
    expected = mean / np.linalg.norm(mean)
    assert updated.cluster(weather.id).centroid @ expected == pytest.approx(1.0, abs=1e-4)


def test_only_new_calls_are_embedded(previous, old_calls):
    embedder = CountingEmbedder(256)
    extra = workload(("coding",), 5, seed=9, prefix="extra-")
    update_clustering(previous, [*old_calls, *extra], embedder=embedder, progress=False)
    assert sorted(embedder.seen) == sorted({c.text for c in extra})


def test_nothing_new_returns_the_previous_clustering(previous, old_calls):
    embedder = CountingEmbedder(256)
    assert update_clustering(previous, old_calls, embedder=embedder, progress=False) is previous
    assert embedder.seen == []


def test_all_new_calls_within_radius_make_no_new_cluster(previous):
    more = workload(OLD, 5, seed=5, prefix="more-")
    updated = update_clustering(previous, more, embedder=HashingEmbedder(256), progress=False)
    assert new_cluster_ids(previous, updated) == ()
    assert updated.method == "incremental(kmeans+silhouette)"
    assert updated.criterion == {}


def test_another_embedder_is_refused(previous, new_calls):
    with pytest.raises(PipelineError, match="built with hashing-256"):
        update_clustering(previous, new_calls, embedder=HashingEmbedder(128), progress=False)


def test_another_text_version_is_refused(previous, new_calls):
    stale = dataclasses.replace(previous, text_version="v0")
    with pytest.raises(PipelineError, match="from scratch"):
        update_clustering(stale, new_calls, embedder=HashingEmbedder(256), progress=False)


def test_tools_of_joining_calls_are_added(previous):
    weather = next(c for c in previous.clusters if c.task == "weather")
    text = next(iter(workload(("weather",), 1, seed=7))).text
    joining = example("alert-1", text, task="weather", tool="weather_alerts")
    updated = update_clustering(previous, [joining], embedder=HashingEmbedder(256), progress=False)
    assert updated.assignments["alert-1"] == weather.id
    assert updated.cluster(weather.id).tools == ("weather_lookup", "weather_alerts")


def test_a_small_batch_of_one_new_task_is_one_new_cluster(previous):
    batch = workload(("travel",), 10, seed=8, prefix="trip-")
    updated = update_clustering(previous, batch, embedder=HashingEmbedder(256), progress=False)
    (fresh,) = new_cluster_ids(previous, updated)
    assert updated.cluster(fresh).size == 10
    assert updated.cluster(fresh).task == "travel"
    assert updated.method == "incremental(kmeans+silhouette)+new:single"


def test_the_stage_updates_in_the_previous_embedding_space(tmp_path, old_calls, new_calls):
    from hetero_agents.logs import LogStore
    from hetero_agents.pipeline.stages import run_cluster
    from hetero_agents.pipeline.store import PipelineStore

    with LogStore(tmp_path / "logs.db") as logs:
        store = PipelineStore(logs)
        with store.run("curate") as run:
            store.save_examples(run.id, old_calls)
        first = run_cluster(store, embedder=HashingEmbedder(64), progress=False)
        with store.run("curate") as run:
            store.save_examples(run.id, [*old_calls, *new_calls])
        # no embedder given: the clustering grows in its own space instead of failing
        # on (or silently mixing with) the default embedder's vectors
        second = run_cluster(store, progress=False)
    assert (second.embedder, second.dim) == ("hashing-64", 64)
    assert set(first.assignments) < set(second.assignments)
    assert {c.id for c in first.clusters} <= {c.id for c in second.clusters}
