"""ArtifactRegistry: immutable versions, an atomically swapped pointer, rollback."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from route_fixtures import EXTRACT, example, small_artifact

from hetero_agents.errors import (
    ArtifactError,
    NothingToRollBackError,
    UnknownArtifactVersionError,
)
from hetero_agents.pipeline import registry as registry_module
from hetero_agents.pipeline.registry import CURRENT_FILE, CURRENT_LINK, ArtifactRegistry
from hetero_agents.routing.artifact import ClusterSpec, EmbeddingSpec, RouterArtifact
from hetero_agents.routing.embedders import HashingEmbedder
from hetero_agents.routing.policies.cluster import ClusterPolicy


def with_lora(source: Path) -> RouterArtifact:
    base = small_artifact(shots={1: [example("a", EXTRACT, "3 May")]})
    clusters = list(base.clusters)
    clusters[0] = clusters[0].model_copy(update={"lora": str(source)})
    return RouterArtifact(base.embedding, clusters, base.centroids, shots=base.shots)


def test_publish_makes_a_self_contained_active_version(tmp_path: Path) -> None:
    adapter = tmp_path / "work" / "adapter.gguf"
    adapter.parent.mkdir()
    adapter.write_bytes(b"GGUF lora bytes")
    report = tmp_path / "work" / "report.html"
    report.write_text("<html></html>")
    registry = ArtifactRegistry(tmp_path / "routers")
    assert registry.versions() == []
    assert registry.current() is None

    published = registry.publish(with_lora(adapter), extra_files={"report.html": report})

    assert (published.version, published.name, published.active) == (1, "v0001", True)
    assert (published.n_clusters, published.n_slm) == (3, 2)
    assert registry.current() == published
    assert os.readlink(tmp_path / "routers" / CURRENT_LINK) == "v0001"
    adapter.unlink()  # the pipeline's working files may go: the version has its own copies
    shutil.rmtree(tmp_path / "work")
    loaded = RouterArtifact.load(registry.current_path())
    assert loaded.clusters[0].lora == "loras/adapter.gguf"
    assert loaded.lora_path(loaded.clusters[0]).read_bytes() == b"GGUF lora bytes"  # type: ignore[union-attr]
    assert loaded.shots[1][0].call_id == "a"
    assert (published.path / "report.html").read_text() == "<html></html>"
    assert published.path.stat().st_mode & 0o777 == 0o755  # readable by the serving account
    assert (published.path / "manifest.json").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in (tmp_path / "routers").iterdir() if p.name.startswith(".publish")] == []


def test_current_path_loads_in_a_cluster_policy(tmp_path: Path) -> None:
    embedder = HashingEmbedder(16)
    registry = ArtifactRegistry(tmp_path)
    spec = EmbeddingSpec(model=embedder.name, dim=embedder.dim)
    clusters = [ClusterSpec(id=i, tier="llm", threshold=0.5) for i in range(3)]
    registry.publish(RouterArtifact(spec, clusters, embedder.embed(["a", "b", "c"])))
    policy = ClusterPolicy(registry.current_path(), embedder)
    assert [c.id for c in policy.artifact.clusters] == [0, 1, 2]


def test_rollback_moves_the_pointer_and_keeps_every_version(tmp_path: Path) -> None:
    registry = ArtifactRegistry(tmp_path)
    for _ in range(3):
        registry.publish(small_artifact())
    assert [v.version for v in registry.versions()] == [1, 2, 3]
    assert registry.current().version == 3  # type: ignore[union-attr]

    assert registry.rollback().version == 2
    assert registry.rollback().version == 1
    with pytest.raises(NothingToRollBackError, match="version 1 is the oldest"):
        registry.rollback()
    assert registry.rollback(to=3).version == 3  # a rollback can be undone
    assert [v.active for v in registry.versions()] == [False, False, True]
    with pytest.raises(
        UnknownArtifactVersionError, match="no artifact version 7 \\(versions: 1, 2, 3\\)"
    ):
        registry.rollback(to=7)
    assert registry.current().version == 3  # type: ignore[union-attr]


def test_rollback_before_any_publish_says_so(tmp_path: Path) -> None:
    registry = ArtifactRegistry(tmp_path)
    with pytest.raises(NothingToRollBackError, match="publish one"):
        registry.rollback()
    with pytest.raises(ArtifactError, match="no router artifact is published"):
        registry.current_path()


def test_publishing_without_activating_leaves_the_pointer(tmp_path: Path) -> None:
    registry = ArtifactRegistry(tmp_path)
    registry.publish(small_artifact())
    staged = registry.publish(small_artifact(), activate=False)
    assert (staged.version, staged.active) == (2, False)
    assert registry.current().version == 1  # type: ignore[union-attr]
    assert registry.activate(2).active


def test_a_crash_mid_publish_leaves_no_version_and_current_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = ArtifactRegistry(tmp_path / "routers")
    registry.publish(small_artifact())
    source = tmp_path / "report.html"
    source.write_text("x")

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(registry_module, "copy_extra", crash)
    with pytest.raises(OSError, match="disk full"):
        registry.publish(small_artifact(), extra_files={"report.html": source})
    assert [v.version for v in registry.versions()] == [1]
    assert registry.current().version == 1  # type: ignore[union-attr]
    names = sorted(p.name for p in (tmp_path / "routers").iterdir())
    assert names == [".lock", CURRENT_LINK, "v0001"]  # the staging directory is gone


def test_a_killed_publisher_leaves_only_an_ignored_staging_dir(tmp_path: Path) -> None:
    registry = ArtifactRegistry(tmp_path)
    registry.publish(small_artifact())
    half = tmp_path / ".publish-deadbeef"  # what a process killed mid-publish leaves behind
    half.mkdir()
    (half / "centroids-0123.npy").write_bytes(b"partial")
    assert [v.version for v in registry.versions()] == [1]
    assert registry.publish(small_artifact()).version == 2
    assert RouterArtifact.load(registry.current_path()).clusters[0].model == "m"


def test_a_broken_staged_artifact_is_never_published(tmp_path: Path) -> None:
    registry = ArtifactRegistry(tmp_path)
    base = small_artifact()
    clusters = [base.clusters[0].model_copy(update={"lora": str(tmp_path / "missing.gguf")})]
    clusters += base.clusters[1:]
    broken = RouterArtifact(base.embedding, clusters, base.centroids)
    with pytest.raises(ArtifactError, match=r"missing\.gguf does not exist"):
        registry.publish(broken)
    assert registry.versions() == []
    assert [p.name for p in tmp_path.iterdir() if p.name != ".lock"] == []


@pytest.mark.parametrize("name", ["../escape.txt", "manifest.json", "loras/x.gguf", "/abs"])
def test_extra_files_cannot_escape_or_replace_the_artifact(tmp_path: Path, name: str) -> None:
    source = tmp_path / "f.txt"
    source.write_text("x")
    with pytest.raises(ArtifactError, match="must be a relative path"):
        ArtifactRegistry(tmp_path / "r").publish(small_artifact(), extra_files={name: source})


def test_concurrent_publishers_get_distinct_versions(tmp_path: Path) -> None:
    registry = ArtifactRegistry(tmp_path)
    results: list[int] = []
    errors: list[BaseException] = []

    def publish() -> None:
        try:
            results.append(ArtifactRegistry(tmp_path).publish(small_artifact()).version)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=publish) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [1, 2, 3, 4, 5, 6]
    assert all(RouterArtifact.load(v.path).clusters for v in registry.versions())


def test_a_taken_version_number_is_skipped_without_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where there is no fcntl lock, a publisher that lost the race takes the next number."""
    registry = ArtifactRegistry(tmp_path)
    registry.publish(small_artifact())
    real_claim = ArtifactRegistry._claim_next

    def racing_claim(self: ArtifactRegistry, staging: Path) -> Path:
        rival = tmp_path / "v0002"  # another publisher renamed its version in just now
        shutil.copytree(tmp_path / "v0001", rival)
        monkeypatch.setattr(
            ArtifactRegistry, "_version_dirs", lambda self: [(1, tmp_path / "v0001")]
        )
        return real_claim(self, staging)

    monkeypatch.setattr(ArtifactRegistry, "_claim_next", racing_claim)
    assert registry.publish(small_artifact()).version == 3


def test_without_symlinks_a_current_file_points_at_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_symlinks(*args: object, **kwargs: object) -> None:
        raise OSError("symlinks are not supported here")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    registry = ArtifactRegistry(tmp_path)
    registry.publish(small_artifact())
    registry.publish(small_artifact())
    assert (tmp_path / CURRENT_FILE).read_text().strip() == "v0002"
    assert not (tmp_path / CURRENT_LINK).exists()
    assert registry.rollback().version == 1
    assert registry.current_path() == (tmp_path / "v0001").resolve()


def test_a_version_that_no_longer_loads_is_not_activated(tmp_path: Path) -> None:
    registry = ArtifactRegistry(tmp_path)
    registry.publish(small_artifact())
    registry.publish(small_artifact())
    (next((tmp_path / "v0001").glob("centroids-*.npy"))).write_bytes(b"bitrot")
    with pytest.raises(ArtifactError, match="version 1 was not activated"):
        registry.rollback()
    assert registry.current().version == 2  # type: ignore[union-attr]


def test_unreadable_version_dirs_are_skipped(tmp_path: Path) -> None:
    registry = ArtifactRegistry(tmp_path)
    registry.publish(small_artifact())
    (tmp_path / "v0002").mkdir()
    (tmp_path / "v0002" / "manifest.json").write_text("{broken")
    assert [v.version for v in registry.versions()] == [1]
    manifest = json.loads((tmp_path / "v0001" / "manifest.json").read_text())
    assert manifest["clusters"][0] == ClusterSpec(**manifest["clusters"][0]).model_dump()
