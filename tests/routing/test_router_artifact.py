"""The router artifact: versioned manifest + centroids, atomic save, strict load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hetero_agents.errors import ArtifactError
from hetero_agents.routing.artifact import (
    MANIFEST,
    VERSION,
    ClusterSpec,
    EmbeddingSpec,
    RouterArtifact,
)


def artifact(dim: int = 4) -> RouterArtifact:
    clusters = [
        ClusterSpec(
            id=0,
            label="extract",
            task="extract",
            tier="slm",
            model="qwen",
            threshold=0.3,
            min_mean_logprob=-0.7,
            size=10,
            score=0.95,
        ),
        ClusterSpec(id=1, label="plan", tier="llm", threshold=0.5),
        ClusterSpec(
            id=2, label="lora", tier="slm", model="qwen", lora="loras/c2.gguf", threshold=0.4
        ),
    ]
    centroids = np.eye(3, dim, dtype=np.float32) * 2.0  # not unit: normalised on construction
    spec = EmbeddingSpec(model="hashing-4", dim=dim)
    return RouterArtifact(spec, clusters, centroids, metadata={"run": "r1"})


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    original = artifact()
    original.save(tmp_path / "router")
    loaded = RouterArtifact.load(tmp_path / "router")
    assert loaded.clusters == original.clusters
    assert loaded.embedding == original.embedding
    assert loaded.metadata == {"run": "r1"}
    assert loaded.created_utc == original.created_utc
    np.testing.assert_allclose(loaded.centroids, np.eye(3, 4))
    manifest = json.loads((tmp_path / "router" / MANIFEST).read_text())
    assert manifest["format"] == "hetero-agents/router"
    assert manifest["version"] == VERSION
    assert manifest["centroids"]["shape"] == [3, 4]


def test_nearest_returns_the_cluster_and_cosine_distance() -> None:
    art = artifact()
    cluster, distance = art.nearest(np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32))
    assert cluster.id == 1
    assert distance == pytest.approx(0.0)
    v = np.array([1.0, 1.0, 0.0, 0.0], dtype=np.float32) / np.sqrt(2)
    assert art.nearest(v)[1] == pytest.approx(1 - 1 / np.sqrt(2), abs=1e-6)


def test_lora_paths_resolve_against_the_artifact(tmp_path: Path) -> None:
    artifact().save(tmp_path)
    loaded = RouterArtifact.load(tmp_path)
    specs = loaded.slm_specs()
    assert specs == {
        "qwen": ("qwen", None),
        "qwen+c2": ("qwen", tmp_path.resolve() / "loras/c2.gguf"),
    }
    assert loaded.clusters[2].slm_key == "qwen+c2"


def test_saving_again_replaces_atomically_and_keeps_one_old_generation(tmp_path: Path) -> None:
    first = artifact()
    first.save(tmp_path)
    old_file = json.loads((tmp_path / MANIFEST).read_text())["centroids"]["file"]
    second = RouterArtifact(first.embedding, first.clusters, np.eye(3, 4)[::-1].copy())
    second.save(tmp_path)
    new_file = json.loads((tmp_path / MANIFEST).read_text())["centroids"]["file"]
    assert new_file != old_file
    assert sorted(p.name for p in tmp_path.glob("centroids-*.npy")) == sorted([old_file, new_file])
    third = RouterArtifact(first.embedding, first.clusters, np.eye(3, 4) + 0.1)
    third.save(tmp_path)
    assert not (tmp_path / old_file).exists()
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind
    assert RouterArtifact.load(tmp_path).clusters == first.clusters


def test_a_newer_version_asks_to_upgrade(tmp_path: Path) -> None:
    artifact().save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["version"] = VERSION + 1
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="upgrade hetero-agents"):
        RouterArtifact.load(tmp_path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m.update(format="something-else"), "not a hetero-agents router manifest"),
        (lambda m: m.update(version=0), "invalid version"),
        (lambda m: m.update(version="1"), "invalid version"),
        (lambda m: m["clusters"][0].update(tier="gpu"), "is invalid"),
        (lambda m: m["clusters"][0].update(model=None), "names no model"),
        (lambda m: m["clusters"][0].update(threshold=-1), "is invalid"),
        (lambda m: m["clusters"][0].update(surprise=1), "is invalid"),
        (lambda m: m["centroids"].update(sha256="0" * 64), "does not match the manifest's sha256"),
        (lambda m: m["centroids"].update(file="../escape.npy"), "plain file name"),
        (lambda m: m["centroids"].update(file="missing.npy"), "cannot read the centroids"),
        (lambda m: m["embedding"].update(dim=5), "expected \\(3, 5\\)"),
    ],
)
def test_bad_manifests_raise_artifact_errors(tmp_path: Path, edit, message: str) -> None:
    artifact().save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    edit(manifest)
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=message):
        RouterArtifact.load(tmp_path)


def test_missing_and_unreadable_manifests(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"manifest\.json is missing"):
        RouterArtifact.load(tmp_path)
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(ArtifactError, match="cannot read"):
        RouterArtifact.load(tmp_path)


def test_a_corrupt_centroids_file_is_caught(tmp_path: Path) -> None:
    artifact().save(tmp_path)
    name = json.loads((tmp_path / MANIFEST).read_text())["centroids"]["file"]
    (tmp_path / name).write_bytes(b"garbage")
    with pytest.raises(ArtifactError, match="sha256"):
        RouterArtifact.load(tmp_path)


def test_construction_checks_centroids() -> None:
    spec = EmbeddingSpec(model="m", dim=2)
    cluster = ClusterSpec(id=0, tier="llm", threshold=0.5)
    with pytest.raises(ArtifactError, match="shape"):
        RouterArtifact(spec, [cluster], np.zeros((2, 2), dtype=np.float32))
    with pytest.raises(ArtifactError, match="zero vector"):
        RouterArtifact(spec, [cluster], np.zeros((1, 2), dtype=np.float32))
    with pytest.raises(ArtifactError, match="NaN"):
        RouterArtifact(spec, [cluster], np.array([[np.nan, 1.0]], dtype=np.float32))
    with pytest.raises(ArtifactError, match="no clusters"):
        RouterArtifact(spec, [], np.zeros((0, 2), dtype=np.float32)).nearest(np.ones(2))
