"""ClusterPolicy: nearest-cluster routing from a router artifact."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from routing_fakes import scripted, text

from hetero_agents.errors import ArtifactError
from hetero_agents.routing import ChatRouter
from hetero_agents.routing.artifact import ClusterSpec, EmbeddingSpec, RouterArtifact
from hetero_agents.routing.context import RouteContext
from hetero_agents.routing.embedders import HashingEmbedder
from hetero_agents.routing.policies.cluster import ClusterPolicy
from hetero_agents.routing.text import routing_text

EXTRACT = [SystemMessage("Extract every date from the text."), HumanMessage("Meet on 3 May.")]
PLAN = [SystemMessage("Plan the trip step by step."), HumanMessage("Go to Rome in June.")]


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(64)
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return super().embed(texts)


def build(embedder: HashingEmbedder, *, min_logprob: float | None = None) -> RouterArtifact:
    centroids = embedder.embed([routing_text(EXTRACT), routing_text(PLAN)])
    clusters = [
        ClusterSpec(
            id=0,
            label="extract",
            tier="slm",
            model="qwen",
            threshold=0.3,
            min_mean_logprob=min_logprob,
        ),
        ClusterSpec(id=1, label="plan", tier="llm", threshold=0.3),
    ]
    return RouterArtifact(EmbeddingSpec(model=embedder.name, dim=embedder.dim), clusters, centroids)


def test_calls_go_to_their_nearest_clusters_tier() -> None:
    embedder = HashingEmbedder(64)
    policy = ClusterPolicy(build(embedder), embedder)
    extract = policy.decide(EXTRACT, RouteContext(slms=("qwen",)))
    assert (extract.tier, extract.model, extract.policy) == ("slm", "qwen", "cluster")
    assert extract.score == pytest.approx(0.0, abs=1e-6)
    assert extract.reason.startswith("cluster 0 (extract) at 0.000")
    assert extract.verify is not None
    plan = policy.decide(PLAN, RouteContext())
    assert (plan.tier, plan.reason) == ("llm", "cluster 1 (plan) is served by the LLM")


def test_a_far_away_call_goes_to_the_llm() -> None:
    embedder = HashingEmbedder(64)
    policy = ClusterPolicy(build(embedder), embedder)
    odd = [HumanMessage("Translate this poem into Klingon, rhyming.")]
    decision = policy.decide(odd, RouteContext())
    assert decision.tier == "llm"
    assert decision.reason.startswith("far from every cluster: nearest cluster")
    assert decision.score is not None
    assert decision.score > 0.3


def test_embeddings_of_repeated_calls_are_cached() -> None:
    embedder = CountingEmbedder()
    policy = ClusterPolicy(build(embedder), embedder, cache_size=2)
    calls_after_build = embedder.calls
    for _ in range(5):
        policy.decide(EXTRACT, RouteContext())
    assert embedder.calls == calls_after_build + 1
    policy.decide(PLAN, RouteContext())
    policy.decide([HumanMessage("third")], RouteContext())  # evicts EXTRACT (LRU of 2)
    policy.decide(EXTRACT, RouteContext())
    assert embedder.calls == calls_after_build + 4


def test_the_embedder_must_match_the_artifact(tmp_path: Path) -> None:
    art = build(HashingEmbedder(64))
    with pytest.raises(ArtifactError, match="use the same embedder"):
        ClusterPolicy(art, HashingEmbedder(32))
    art.save(tmp_path)
    assert ClusterPolicy(tmp_path, HashingEmbedder(64)).artifact.clusters == art.clusters


def test_an_unknown_text_version_is_rejected() -> None:
    embedder = HashingEmbedder(64)
    art = build(embedder)
    art.embedding = EmbeddingSpec(model=embedder.name, dim=64, text_version="v0")
    with pytest.raises(ArtifactError, match="re-run the pipeline"):
        ClusterPolicy(art, embedder)


def test_router_with_cluster_policy_verifies_the_clusters_confidence() -> None:
    embedder = HashingEmbedder(64)
    policy = ClusterPolicy(build(embedder, min_logprob=-1.0), embedder)
    unsure = scripted(text("3 May", mean_logprob=-3.0), "qwen")
    router = ChatRouter(llm=scripted(text("May 3rd"), "big"), slms={"qwen": unsure}, policy=policy)
    meta = router.invoke(EXTRACT).response_metadata["hetero"]
    assert (meta["tier"], meta["policy"]) == ("llm", "cluster")
    assert meta["escalation_reason"].startswith("low_confidence")
    unsure.reply = text("3 May", mean_logprob=-0.1)
    assert router.invoke(EXTRACT).response_metadata["hetero"]["tier"] == "slm"
    policy.verify_answers = False
    unsure.reply = text("3 May", mean_logprob=-9.0)
    assert router.invoke(EXTRACT).response_metadata["hetero"]["tier"] == "slm"


def test_an_embedder_failure_falls_back_to_the_llm() -> None:
    embedder = HashingEmbedder(64)
    policy = ClusterPolicy(build(embedder), embedder)

    def broken(texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("embedder crashed")

    policy.embedder.embed = broken  # type: ignore[method-assign]
    router = ChatRouter(
        llm=scripted(text("big")), slms={"qwen": scripted(text("s"))}, policy=policy
    )
    meta = router.invoke([HumanMessage("uncached call")]).response_metadata["hetero"]
    assert meta["tier"] == "llm"
    assert meta["reason"] == "policy_error: RuntimeError: embedder crashed"


def test_hashing_embedder_is_deterministic_and_unit_length() -> None:
    a, b = HashingEmbedder(32), HashingEmbedder(32)
    va, vb = a.embed(["same text here", ""]), b.embed(["same text here", ""])
    np.testing.assert_array_equal(va, vb)
    assert np.linalg.norm(va[0]) == pytest.approx(1.0)
    assert np.linalg.norm(va[1]) == 0.0  # nothing to embed: the zero vector, never NaN


@pytest.mark.slow
@pytest.mark.disable_socket
def test_real_minilm_loads_offline_and_routes_by_meaning() -> None:
    from hetero_agents.routing.embedders import MINILM_NAME, SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    assert (embedder.name, embedder.dim) == (MINILM_NAME, 384)
    texts = ["When is the meeting?", "What time do we meet?", "Compile the kernel with clang."]
    v = embedder.embed(texts)
    assert v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2
    single = embedder.embed(texts[:1])[0]
    np.testing.assert_allclose(single, v[0], atol=1e-4)  # fast single path == batched path
    art = RouterArtifact(
        EmbeddingSpec(model=MINILM_NAME, dim=384),
        [ClusterSpec(id=0, tier="slm", model="qwen", threshold=0.5)],
        embedder.embed([routing_text([HumanMessage("What time do we meet?")])]),
    )
    decision = ClusterPolicy(art, embedder).decide(
        [HumanMessage("When is the meeting?")], RouteContext()
    )
    assert decision.tier == "slm"
    fast = SentenceTransformerEmbedder(precision="bfloat16")
    for rows in (fast.embed(texts), np.stack([fast.embed([t])[0] for t in texts])):
        assert rows.dtype == np.float32
        cosines = np.sum(rows * v, axis=1)
        assert cosines.min() > 0.99  # bfloat16 vectors still match float32 centroids
    with pytest.raises(ValueError, match="precision must be"):
        SentenceTransformerEmbedder(precision="int4")  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.disable_socket
def test_an_embedder_that_is_not_available_offline_is_an_artifact_error(tmp_path: Path) -> None:
    art = RouterArtifact(
        EmbeddingSpec(model=str(tmp_path / "no-such-model"), dim=8),
        [ClusterSpec(id=0, tier="llm", threshold=0.5)],
        np.ones((1, 8), dtype=np.float32),
    )
    with pytest.raises(ArtifactError, match="cannot load the artifact's embedder"):
        ClusterPolicy(art)
