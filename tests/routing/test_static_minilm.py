"""The static distillation of the bundled MiniLM: built offline, verified, and used by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from langchain_core.messages import HumanMessage

from hetero_agents.routing.artifact import ClusterSpec, EmbeddingSpec, RouterArtifact
from hetero_agents.routing.context import RouteContext
from hetero_agents.routing.policies.cluster import ClusterPolicy
from hetero_agents.routing.static_minilm import (
    DIMS,
    STATIC_MINILM_NAME,
    _verified,
    static_minilm_path,
)
from hetero_agents.routing.text import routing_text

pytestmark = [pytest.mark.slow, pytest.mark.disable_socket]

MEETING = ["When is the meeting?", "What time do we meet?", "Compile the kernel with clang."]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A HETERO_AGENTS_HOME holding one freshly built static model."""
    root = tmp_path_factory.mktemp("home")
    static_minilm_path(root / "embedders")
    return root


def test_builds_a_plain_sentence_transformers_model(home: Path) -> None:
    from sentence_transformers import SentenceTransformer

    folder = static_minilm_path(home / "embedders")  # already built: verified, not rebuilt
    assert [p.name for p in (home / "embedders").iterdir()] == [folder.name]  # no staging left
    manifest = json.loads((folder / "hetero-agents.json").read_text())
    assert (manifest["name"], manifest["dims"]) == (STATIC_MINILM_NAME, DIMS)
    assert {"model.safetensors", "tokenizer.json", "modules.json"} <= set(manifest["weights"])
    vectors = SentenceTransformer(str(folder), local_files_only=True).encode(
        MEETING, normalize_embeddings=True
    )
    assert vectors.shape == (3, DIMS)
    # the two phrasings of one question are closer than an unrelated request
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.1


def test_a_tampered_or_partial_model_is_not_trusted_and_is_rebuilt(
    home: Path, tmp_path: Path
) -> None:
    folder = static_minilm_path(home / "embedders")
    copy = tmp_path / "embedders" / folder.name
    shutil.copytree(folder, copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert not _verified(copy)
    assert static_minilm_path(tmp_path / "embedders") == copy
    assert _verified(copy)
    assert weights.read_bytes() != bytes(data)
    (copy / "hetero-agents.json").unlink()  # a build cut short never wrote its manifest
    assert not _verified(copy)


def test_the_router_loads_it_by_name_and_routes_by_meaning(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hetero_agents.routing.embedders import SentenceTransformerEmbedder

    monkeypatch.setenv("HETERO_AGENTS_HOME", str(home))
    embedder = SentenceTransformerEmbedder("minilm-static")  # the CLI's short name
    assert (embedder.name, embedder.dim) == (STATIC_MINILM_NAME, DIMS)
    batched = embedder.embed(MEETING)
    single = np.stack([embedder.embed([text])[0] for text in MEETING])
    np.testing.assert_allclose(single, batched, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    artifact = RouterArtifact(
        EmbeddingSpec(model=STATIC_MINILM_NAME, dim=DIMS),
        [
            ClusterSpec(id=0, tier="slm", model="qwen", threshold=0.6),
            ClusterSpec(id=1, tier="llm", model="llm", threshold=0.6),
        ],
        embedder.embed(
            [
                routing_text([HumanMessage("What time do we meet?")]),
                routing_text([HumanMessage("Compile the kernel with clang.")]),
            ]
        ),
    )
    policy = ClusterPolicy(artifact)  # builds its own embedder from the artifact's name
    assert policy.embedder.name == STATIC_MINILM_NAME
    decision = policy.decide([HumanMessage("When is the meeting?")], RouteContext(slms=("qwen",)))
    assert (decision.tier, decision.cluster) == ("slm", 0)
