"""PipelineStore: every stage's results survive a round trip through the log database."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest

from hetero_agents.errors import PipelineError
from hetero_agents.logs import LogStore
from hetero_agents.pipeline.records import (
    CandidateScore,
    Cluster,
    Clustering,
    DriftFlag,
    Example,
    Selection,
)
from hetero_agents.pipeline.store import PipelineStore


def _example(call_id: str, split: str = "train") -> Example:
    return Example(
        call_id=call_id,
        text=f"user: question {call_id}",
        messages=[{"type": "human", "data": {"content": f"question {call_id}", "type": "human"}}],
        tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
        response={"type": "ai", "data": {"content": "answer", "type": "ai"}},
        split=split,  # type: ignore[arg-type]
        group="task-a",
        task="task-a",
        input_tokens=12,
        cost_usd=0.001,
    )


def _clustering() -> Clustering:
    centroid = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    cluster = Cluster(
        id=3,
        label="weather lookups",
        centroid=centroid,
        threshold=0.4,
        size=2,
        top_terms=("weather", "city"),
        node="worker",
        task="task-a",
        tools=("get_weather",),
        call_ids=("a", "b"),
    )
    return Clustering(
        clusters=[cluster],
        assignments={"a": 3, "b": 3},
        distances={"a": 0.1, "b": 0.2},
        embedder="hashing-256",
        dim=3,
        text_version="v1",
        criterion={2: 0.5, 3: 0.7},
        method="kmeans+silhouette",
    )


@pytest.fixture
def store(tmp_path: Path) -> PipelineStore:
    return PipelineStore(LogStore(tmp_path / "logs.db"))


def test_results_are_read_back_from_the_latest_finished_run(store: PipelineStore) -> None:
    with store.run("curate", {"seed": 0}) as run:
        store.save_examples(run.id, [_example("a"), _example("b", "eval")])
        assert run.summary is not None
        run.summary["kept"] = 2
    assert [e.call_id for e in store.examples()] == ["a", "b"]
    assert store.examples(split="eval") == [_example("b", "eval")]
    assert store.runs("curate")[0].summary == {"kept": 2}

    failed = store.start_run("curate")
    store.save_examples(failed, [_example("z")])
    store.finish_run(failed, status="failed", error="interrupted")
    assert [e.call_id for e in store.examples()] == ["a", "b"]  # a failed run never shadows


def test_a_failing_stage_is_recorded_as_failed(store: PipelineStore) -> None:
    with pytest.raises(RuntimeError), store.run("cluster"):
        raise RuntimeError("boom")
    (row,) = store.runs("cluster")
    assert row.status == "failed"
    assert row.error == "RuntimeError: boom"
    assert store.clustering() is None


def test_clustering_round_trips(store: PipelineStore) -> None:
    run = store.start_run("cluster")
    store.save_clustering(run, _clustering())
    store.finish_run(run)
    loaded = store.clustering()
    assert loaded is not None
    original = _clustering()
    assert loaded.assignments == original.assignments
    assert loaded.distances == original.distances
    assert loaded.criterion == original.criterion
    (cluster,) = loaded.clusters
    np.testing.assert_array_equal(cluster.centroid, original.clusters[0].centroid)
    assert cluster.call_ids == ("a", "b")
    assert cluster.tools == ("get_weather",)
    assert (cluster.label, cluster.threshold, cluster.node) == ("weather lookups", 0.4, "worker")


def test_scores_selections_and_drift_round_trip(store: PipelineStore) -> None:
    score = CandidateScore(
        cluster_id=3,
        candidate="smollm2-135m",
        mode="few-shot",
        n=5,
        accuracy=0.8,
        validity=1.0,
        latency_ms=120.0,
        footprint_mb=98.4,
        metric="tool_call",
        details={"matches": [True, False]},
    )
    selection = Selection(
        cluster_id=3,
        tier="slm",
        reason="passed",
        required=0.76,
        model="smollm2-135m",
        mode="few-shot",
        score=0.8,
        previous_tier="llm",
    )
    run = store.start_run("select")
    store.save_scores(run, [score])
    store.save_selections(run, [selection])
    store.finish_run(run)
    assert store.scores() == [score]
    assert store.selections() == [selection]
    assert store.selections()[0].change == "promoted"

    flag = DriftFlag("far_calls", 0.3, 0.05, True, "more calls are far away", None)
    drift_run = store.start_run("drift")
    store.save_drift(drift_run, [flag])
    store.finish_run(drift_run)
    assert store.drift() == [flag]


def test_artifact_versions_and_activation(store: PipelineStore, tmp_path: Path) -> None:
    assert store.active_artifact() is None
    store.record_artifact(1, tmp_path / "v0001", None, n_clusters=2, n_slm=1)
    store.record_artifact(2, tmp_path / "v0002", None, n_clusters=3, n_slm=2)
    assert store.active_artifact() is not None
    assert store.active_artifact().version == 2  # type: ignore[union-attr]
    store.activate(1)
    assert [a.active for a in store.artifacts()] == [True, False]
    with pytest.raises(PipelineError, match="no router artifact version 7"):
        store.activate(7)


def test_examples_are_encrypted_when_the_store_has_a_key(tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    from hetero_agents.logs._crypto import ContentCipher

    key = ContentCipher.generate_key()
    path = tmp_path / "secret.db"
    store = PipelineStore(LogStore(path, encryption_key=key))
    run = store.start_run("curate")
    store.save_examples(run, [_example("a")])
    store.finish_run(run)
    raw = store.logs.db.conn.execute("SELECT example_json FROM pipeline_examples").fetchone()[0]
    assert "question" not in raw
    assert store.examples() == [_example("a")]
    with pytest.raises(PipelineError, match="encryption_key"):
        PipelineStore(LogStore(path)).examples()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
