"""S3 cluster: k selection, assignments, labels, radii and edge cases (hashing embedder)."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from cluster_fakes import VOCABULARY, CountingEmbedder, example, task_example, workload
from sklearn.metrics import adjusted_rand_score

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._cluster_radius import CEILING, FLOOR, weighted_quantile
from hetero_agents.pipeline.cluster import STAGES, cluster
from hetero_agents.routing.embedders import HashingEmbedder
from hetero_agents.routing.text import TEXT_VERSION

TASKS = ("weather", "billing", "coding", "travel")


@pytest.fixture(scope="module")
def calls():
    return workload(TASKS, 40, seed=1)


@pytest.fixture(scope="module")
def found(calls):
    return cluster(calls, embedder=HashingEmbedder(256), k_max=10, progress=False)


def test_finds_the_number_of_tasks_by_silhouette(calls, found):
    assert found.method == "kmeans+silhouette"
    assert sorted(found.criterion) == list(range(2, 11))
    assert max(found.criterion, key=found.criterion.__getitem__) == len(TASKS)
    assert len(found.clusters) == len(TASKS)
    truth = [c.task for c in calls]
    assert adjusted_rand_score(truth, [found.assignments[c.call_id] for c in calls]) == 1.0


def test_every_call_is_in_exactly_one_cluster(calls, found):
    assert set(found.assignments) == {c.call_id for c in calls}
    members = [call_id for c in found.clusters for call_id in c.call_ids]
    assert sorted(members) == sorted(found.assignments)
    for c in found.clusters:
        assert c.size == len(c.call_ids)
        assert {found.assignments[call_id] for call_id in c.call_ids} == {c.id}
    assert [c.id for c in found.clusters] == list(range(len(found.clusters)))


def test_assignment_is_the_routers_nearest_centroid(calls, found):
    embedder = HashingEmbedder(256)
    vectors = embedder.embed([c.text for c in calls])
    centroids = np.stack([c.centroid for c in found.clusters])
    np.testing.assert_allclose(np.linalg.norm(centroids, axis=1), 1.0, rtol=1e-5)
    nearest = np.argmax(vectors @ centroids.T, axis=1)
    assert [found.clusters[i].id for i in nearest] == [found.assignments[c.call_id] for c in calls]
    recorded = [found.distances[c.call_id] for c in calls]
    np.testing.assert_allclose(recorded, 1.0 - np.max(vectors @ centroids.T, axis=1), atol=1e-5)


def test_metadata_of_the_clustering(found):
    assert found.embedder == "hashing-256"
    assert found.dim == 256
    assert found.text_version == TEXT_VERSION


def test_thresholds_cover_most_members_within_bounds(found):
    for c in found.clusters:
        assert FLOOR <= c.threshold <= CEILING
        inside = sum(found.distances[call_id] <= c.threshold for call_id in c.call_ids)
        assert inside >= 0.95 * c.size


def test_labels_name_task_words_and_tools(found):
    for c in found.clusters:
        assert c.task in TASKS
        assert c.node == "agent"
        assert c.tools == (f"{c.task}_lookup",)
        words = set(VOCABULARY[c.task].split()) | {c.task, f"{c.task}_lookup"}
        assert c.top_terms
        assert set(c.top_terms) <= words
        assert c.label.startswith(f"{c.task} · ")
        assert c.label.endswith(f"→ {c.task}_lookup")


def test_a_mixed_cluster_names_no_task(calls):
    mixed = cluster(calls, embedder=HashingEmbedder(256), k=1, progress=False)
    assert mixed.method == "kmeans+fixed-k"
    (only,) = mixed.clusters
    assert only.task is None  # no task covers half of the calls
    assert only.node == "agent"
    assert set(only.tools) == {f"{t}_lookup" for t in TASKS}
    assert only.label.startswith("agent · ")


def test_fixed_k(calls):
    two = cluster(calls, embedder=HashingEmbedder(256), k=2, progress=False)
    assert len(two.clusters) == 2
    assert two.criterion == {}
    # a fixed k never splits a task: each task lies wholly inside one cluster
    for task in TASKS:
        assert len({two.assignments[c.call_id] for c in calls if c.task == task}) == 1


def test_same_seed_same_result_and_timings(calls):
    timings: dict[str, float] = {}
    again = cluster(calls, embedder=HashingEmbedder(256), k_max=10, progress=False, timings=timings)
    once_more = cluster(calls, embedder=HashingEmbedder(256), k_max=10, progress=False)
    assert again.assignments == once_more.assignments
    assert set(timings) == set(STAGES)
    assert all(t >= 0.0 for t in timings.values())


def test_embeds_each_distinct_text_once():
    rng = random.Random(3)
    base = workload(("weather", "billing", "coding"), 10, seed=2)
    calls = [
        example(f"r{i}", c.text, task=c.task, tool=f"{c.task}_lookup")
        for i, c in enumerate(rng.choices(base, k=200))
    ]
    embedder = CountingEmbedder()
    found = cluster(calls, embedder=embedder, k_max=6, progress=False)
    distinct = {c.text for c in calls}
    assert sorted(embedder.seen) == sorted(distinct)
    assert sum(c.size for c in found.clusters) == 200
    # identical texts share a cluster and a distance
    by_text: dict[str, set[int]] = {}
    for c in calls:
        by_text.setdefault(c.text, set()).add(found.assignments[c.call_id])
    assert all(len(ids) == 1 for ids in by_text.values())


def test_one_call_is_one_cluster_at_the_floor_radius():
    found = cluster(
        [example("only", "user: hello there")], embedder=HashingEmbedder(64), progress=False
    )
    (only,) = found.clusters
    assert found.method == "single"
    assert only.size == 1
    assert only.threshold == FLOOR
    assert found.distances["only"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("n_distinct", [1, 2])
def test_fewer_than_three_distinct_texts_make_one_cluster(n_distinct):
    texts = ["user: refund my invoice", "user: will it rain tomorrow"][:n_distinct]
    calls = [example(f"c{i}", texts[i % n_distinct], tool="t") for i in range(30)]
    embedder = CountingEmbedder(64)
    found = cluster(calls, embedder=embedder, progress=False)
    assert len(found.clusters) == 1
    assert found.method == "single"
    assert found.clusters[0].size == 30
    assert len(embedder.seen) == n_distinct


def test_k_above_distinct_texts_is_lowered_with_a_warning():
    calls = [
        example(f"c{i}", f"user: {word}", tool="t") for i, word in enumerate(["ab", "cd", "ef"])
    ]
    with pytest.warns(UserWarning, match="only 3 distinct texts"):
        found = cluster(calls, embedder=HashingEmbedder(64), k=10, progress=False)
    assert len(found.clusters) == 3


def test_progress_bars_draw_on_stderr(capsys):
    calls = workload(("weather", "billing"), 10)
    cluster(calls, embedder=HashingEmbedder(64), k_max=4, progress=True)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"k": 0}, "k must be 1 or more"), ({"k_max": 1}, "k_max must be at least 2")],
)
def test_bad_parameters(kwargs, message):
    calls = workload(("weather",), 3)
    with pytest.raises(PipelineError, match=message):
        cluster(calls, embedder=HashingEmbedder(64), progress=False, **kwargs)


def test_no_examples_says_what_to_do():
    with pytest.raises(PipelineError, match="run curate"):
        cluster([], embedder=HashingEmbedder(64), progress=False)


def test_repeated_call_ids_are_refused():
    rng = random.Random(0)
    calls = [task_example("same", "weather", rng), task_example("same", "billing", rng)]
    with pytest.raises(PipelineError, match="call ids repeat \\(same"):
        cluster(calls, embedder=HashingEmbedder(64), progress=False)


def test_a_wrong_shaped_embedder_is_reported():
    class Broken:
        name, dim = "broken", 8

        def embed(self, texts):
            return np.ones((len(texts), 4), dtype=np.float32)

    with pytest.raises(PipelineError, match="returned shape"):
        cluster(workload(("weather",), 3), embedder=Broken(), progress=False)


def test_weighted_quantile():
    values = np.array([0.4, 0.1, 0.3, 0.2])
    assert weighted_quantile(values, np.ones(4), 0.5) == 0.2
    assert weighted_quantile(values, np.ones(4), 1.0) == 0.4
    # weight moves the quantile: 0.1 now holds 7 of 10 units
    assert weighted_quantile(values, np.array([1.0, 7.0, 1.0, 1.0]), 0.6) == 0.1
    assert Counter([weighted_quantile(values, np.ones(4), q) for q in (0.0, 0.25)]) == {0.1: 2}


def test_default_embedder_uses_bfloat16_only_where_native(monkeypatch):
    from hetero_agents.pipeline import _embed_unique
    from hetero_agents.routing import embedders

    made: list[str] = []

    class Recorder:
        def __init__(self, *, precision: str) -> None:
            made.append(precision)

    monkeypatch.setattr(embedders, "SentenceTransformerEmbedder", Recorder)
    for native in (True, False):
        monkeypatch.setattr(_embed_unique, "_native_bf16", lambda native=native: native)
        _embed_unique.default_embedder()
    assert made == ["bfloat16", "float32"]


def test_one_task_stays_one_cluster():
    calls = workload(("travel",), 60, seed=4)
    found = cluster(calls, embedder=HashingEmbedder(256), k_max=10, progress=False)
    assert found.method == "single"
    assert len(found.clusters) == 1
    assert found.criterion  # the silhouettes that were too low are kept, to show why
    assert max(found.criterion.values()) < 0.25
    assert found.clusters[0].task == "travel"
