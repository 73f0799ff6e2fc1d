"""S6 route: clustering + selections -> a router artifact, published as a version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from route_fixtures import EXTRACT, GREET, PLAN, clustering, example, select

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline.records import Example, Selection
from hetero_agents.pipeline.registry import ArtifactRegistry
from hetero_agents.pipeline.route import MIN_THRESHOLD, build_artifact, far_share, route
from hetero_agents.routing.artifact import RouterArtifact
from hetero_agents.routing.embedders import HashingEmbedder

EMBEDDER = HashingEmbedder(64)


def test_one_cluster_spec_per_cluster_from_the_records() -> None:
    found = clustering(EMBEDDER, [EXTRACT, PLAN, GREET])
    shots = {1: [example("s1", PLAN, "Rome")], 2: [example("s2", GREET, "Hi")]}
    art = build_artifact(
        found,
        [select(0, "qwen"), select(1, "qwen", "few-shot"), select(2, None)],
        shots=shots,
        min_mean_logprob=-1.5,
        metadata={"run": "r7"},
    )
    zero, few, llm = art.clusters
    assert (zero.tier, zero.model, zero.lora, zero.few_shot, zero.slm_key) == (
        "slm",
        "qwen",
        None,
        None,
        "qwen",
    )
    assert (few.tier, few.slm_key) == ("slm", "qwen+fewshot-c1")
    assert [s.call_id for s in art.shots[1]] == ["s1"]
    assert 2 not in art.shots  # shots of a cluster not served few-shot are not shipped
    assert (llm.tier, llm.model, llm.min_mean_logprob) == ("llm", None, None)
    assert zero.min_mean_logprob == few.min_mean_logprob == -1.5
    assert [(c.label, c.size, c.threshold, c.score) for c in art.clusters] == [
        ("task 0", 10, 0.3, 0.9),
        ("task 1", 11, 0.3, 0.9),
        ("task 2", 12, 0.3, 0.9),
    ]
    assert art.embedding.model == EMBEDDER.name
    assert art.embedding.dim == 64
    np.testing.assert_allclose(art.centroids, np.stack([c.centroid for c in found.clusters]))
    assert art.metadata["run"] == "r7"
    assert art.metadata["reasons"] == {"0": "test: slm", "1": "test: slm", "2": "test: llm"}
    assert art.metadata["drift_baseline"] == {"far_calls": pytest.approx(1 / 30)}


def test_clusters_without_a_selection_stay_on_the_llm() -> None:
    art = build_artifact(clustering(EMBEDDER, [EXTRACT, PLAN]), [select(1, "qwen")])
    assert [c.tier for c in art.clusters] == ["llm", "slm"]
    assert art.clusters[0].score is None


def test_a_lora_selection_points_at_its_adapter(tmp_path: Path) -> None:
    adapter = tmp_path / "c0.gguf"
    adapter.write_bytes(b"GGUF")
    art = build_artifact(
        clustering(EMBEDDER, [EXTRACT]), [select(0, "qwen", "lora", lora=str(adapter))]
    )
    assert art.clusters[0].slm_key == "qwen+c0"
    assert art.lora_path(art.clusters[0]) == adapter.resolve()


def test_a_zero_spread_cluster_gets_a_small_positive_threshold() -> None:
    found = clustering(EMBEDDER, [EXTRACT])
    single = found.clusters[0]
    found.clusters[0] = type(single)(
        id=0, label="one call", centroid=single.centroid, threshold=0.0, size=1
    )
    assert build_artifact(found, []).clusters[0].threshold == MIN_THRESHOLD


@pytest.mark.parametrize(
    ("selections", "shots", "message"),
    [
        ([select(5, "qwen")], None, "cluster 5, which this clustering does not have"),
        ([select(0, "qwen"), select(0, None)], None, "two selections"),
        ([select(0, "qwen", "few-shot")], None, "no shots were given"),
        ([select(0, "qwen", "lora")], None, "names no adapter"),
    ],
)
def test_inconsistent_records_are_pipeline_errors(
    selections: list[Selection], shots: dict[int, list[Example]] | None, message: str
) -> None:
    with pytest.raises(PipelineError, match=message):
        build_artifact(clustering(EMBEDDER, [EXTRACT]), selections, shots=shots)


def test_an_empty_clustering_cannot_be_routed() -> None:
    empty = clustering(EMBEDDER, [])
    with pytest.raises(PipelineError, match="nothing to route"):
        build_artifact(empty, [])


def test_route_publishes_the_next_version(tmp_path: Path) -> None:
    found = clustering(EMBEDDER, [EXTRACT, PLAN])
    first = route(found, [select(0, "qwen")], tmp_path)
    second = route(
        found,
        [select(0, "qwen"), select(1, "qwen", "few-shot")],
        tmp_path,
        shots={1: [example("s", PLAN, "Rome")]},
    )
    assert (first.version, second.version) == (1, 2)
    assert (second.n_slm, second.active) == (2, True)
    registry = ArtifactRegistry(tmp_path)
    assert registry.current() == second
    loaded = RouterArtifact.load(registry.current_path())
    assert loaded.clusters[1].slm_key == "qwen+fewshot-c1"
    assert registry.rollback().version == 1


def test_far_share_counts_calls_beyond_their_clusters_threshold() -> None:
    assert far_share(clustering(EMBEDDER, [EXTRACT, PLAN])) == pytest.approx(1 / 20)
    assert far_share(clustering(EMBEDDER, [])) == 0.0
