"""Router artifact format v2: few-shot files, slm keys, v1 compatibility, build_slms."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from route_fixtures import EXTRACT, PLAN, example, small_artifact

from hetero_agents.errors import ArtifactError
from hetero_agents.pipeline.fewshot import FewShotChatModel
from hetero_agents.routing.artifact import MANIFEST, VERSION, ClusterSpec, RouterArtifact


def shots() -> dict[int, list[Any]]:
    return {1: [example("a", EXTRACT, "3 May"), example("b", PLAN, "Rome, June")]}


def test_few_shot_round_trip_keeps_the_shots_and_names_the_file_by_content(
    tmp_path: Path,
) -> None:
    original = small_artifact(shots=shots())
    original.save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["version"] == VERSION == 2
    name = manifest["clusters"][1]["few_shot"]
    assert name.startswith("few_shot/c1-")
    assert name.endswith(".json")
    assert manifest["clusters"][0]["few_shot"] is None
    loaded = RouterArtifact.load(tmp_path)
    assert loaded.clusters == original.clusters
    assert loaded.shots == {1: tuple(shots()[1])}
    assert loaded.shots[1][0].to_messages()[1].content == "Meet on 3 May."
    assert loaded.shots[1][1].response_message().content == "Rome, June"


def test_slm_keys_tell_model_lora_and_shots_apart() -> None:
    art = small_artifact(shots=shots())
    assert [c.slm_key for c in art.clusters] == ["m", "m+fewshot-c1", None]
    both = ClusterSpec(id=4, tier="slm", model="m", lora="loras/a.gguf", few_shot="x", threshold=1)
    assert both.slm_key == "m+a+fewshot-c4"


def test_a_version_1_manifest_still_loads(tmp_path: Path) -> None:
    small_artifact().save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["version"] = 1
    for cluster in manifest["clusters"]:
        del cluster["few_shot"]  # v1 had no such key
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    loaded = RouterArtifact.load(tmp_path)
    assert [c.slm_key for c in loaded.clusters] == ["m", "m", None]
    assert loaded.shots == {}


def test_a_version_1_manifest_cannot_name_few_shot_files(tmp_path: Path) -> None:
    small_artifact(shots=shots()).save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["version"] = 1
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="no few-shot clusters"):
        RouterArtifact.load(tmp_path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.write_text("{}"), "does not match the hash in its name"),
        (lambda path: path.unlink(), "cannot read cluster 1's few-shot file"),
    ],
)
def test_a_damaged_few_shot_file_is_an_artifact_error(
    tmp_path: Path, damage: Callable[[Path], object], message: str
) -> None:
    small_artifact(shots=shots()).save(tmp_path)
    (path,) = (tmp_path / "few_shot").glob("*.json")
    damage(path)
    with pytest.raises(ArtifactError, match=message):
        RouterArtifact.load(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"format": "other"}, "not a hetero-agents few-shot file"),
        ({"format": "hetero-agents/few-shot", "version": 9}, "upgrade hetero-agents"),
        ({"format": "hetero-agents/few-shot", "version": 1, "cluster": 7}, "not 1"),
        (
            {"format": "hetero-agents/few-shot", "version": 1, "cluster": 1, "shots": [{}]},
            "invalid shots",
        ),
    ],
)
def test_a_hand_written_few_shot_file_is_checked(
    tmp_path: Path, content: dict[str, Any], message: str
) -> None:
    small_artifact(shots=shots()).save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["clusters"][1]["few_shot"] = "few_shot/mine.json"  # not hash-named: no hash check
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    (tmp_path / "few_shot" / "mine.json").write_text(json.dumps(content))
    with pytest.raises(ArtifactError, match=message):
        RouterArtifact.load(tmp_path)


def test_few_shot_paths_may_not_leave_the_artifact(tmp_path: Path) -> None:
    small_artifact(shots=shots()).save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["clusters"][1]["few_shot"] = "../elsewhere.json"
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="inside the artifact"):
        RouterArtifact.load(tmp_path)


def test_shots_must_belong_to_a_cluster_and_named_files_need_shots() -> None:
    with pytest.raises(ArtifactError, match="unknown clusters \\[9\\]"):
        small_artifact(shots={9: [example("a", EXTRACT, "x")]})
    spec = small_artifact().embedding
    named = ClusterSpec(id=0, tier="slm", model="m", few_shot="few_shot/c0.json", threshold=0.3)
    with pytest.raises(ArtifactError, match="no shots were given"):
        RouterArtifact(spec, [named], np.eye(1, 4, dtype=np.float32))


def test_saving_new_shots_keeps_one_old_generation_of_few_shot_files(tmp_path: Path) -> None:
    small_artifact(shots=shots()).save(tmp_path)
    first = {p.name for p in (tmp_path / "few_shot").iterdir()}
    small_artifact(shots={1: [example("c", EXTRACT, "May 3")]}).save(tmp_path)
    second = {p.name for p in (tmp_path / "few_shot").iterdir()}
    assert first < second
    assert len(second) == 2
    small_artifact(shots={1: [example("d", EXTRACT, "3/5")]}).save(tmp_path)
    third = {p.name for p in (tmp_path / "few_shot").iterdir()}
    assert not first & third
    assert len(third) == 2
    assert RouterArtifact.load(tmp_path).shots[1][0].call_id == "d"


class Loads:
    """A loader that records what it was asked to load and hands out fakes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, model: str, /, **kwargs: Any) -> BaseChatModel:
        self.calls.append((model, kwargs))
        return FakeListChatModel(responses=[f"{model} says hi"])


def test_build_slms_loads_each_model_and_lora_once_and_wraps_few_shot_keys(
    tmp_path: Path,
) -> None:
    lora = tmp_path / "ad.gguf"
    lora.write_bytes(b"GGUF")
    spec = small_artifact().embedding
    clusters = [
        ClusterSpec(id=0, tier="slm", model="m", threshold=0.3),
        ClusterSpec(id=1, tier="slm", model="m", threshold=0.3),
        ClusterSpec(id=2, tier="slm", model="m", threshold=0.3),
        ClusterSpec(id=3, tier="slm", model="m", lora=str(lora), threshold=0.3),
    ]
    art = RouterArtifact(
        spec, clusters, np.eye(4, dtype=np.float32), shots={2: [example("a", EXTRACT, "x")]}
    )
    loader = Loads()
    slms = art.build_slms(loader, n_threads=1)
    assert list(slms) == ["m", "m+fewshot-c2", "m+ad"]
    assert loader.calls == [
        ("m", {"n_threads": 1}),
        ("m", {"n_threads": 1, "lora_path": str(lora)}),
    ]
    wrapped = slms["m+fewshot-c2"]
    assert isinstance(wrapped, FewShotChatModel)
    assert wrapped.model is slms["m"]  # one loaded model shared by the two keys
    assert [s.call_id for s in wrapped.shots] == ["a"]
    assert slms["m+ad"] is not slms["m"]


def test_build_slms_names_a_missing_lora(tmp_path: Path) -> None:
    spec = small_artifact().embedding
    gone = ClusterSpec(id=0, tier="slm", model="m", lora="loras/gone.gguf", threshold=0.3)
    art = RouterArtifact(spec, [gone], np.eye(1, 4, dtype=np.float32), root=tmp_path)
    with pytest.raises(ArtifactError, match=r"gone\.gguf is missing"):
        art.build_slms(Loads())
