"""End to end on real weights: route -> registry -> build_slms -> ClusterPolicy -> ChatRouter.

The artifact routes one cluster to SmolLM2 with few-shot examples, one to SmolLM2
zero-shot and one to the LLM; the router, driven by a ``ClusterPolicy`` loaded from
the registry's current version, must serve each call from the right tier, and the
logged calls must be readable by drift detection.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from route_fixtures import EXTRACT, GREET, PLAN, clustering, example, select

from hetero_agents.logs import capture
from hetero_agents.pipeline.drift import detect_drift
from hetero_agents.pipeline.fewshot import FewShotChatModel
from hetero_agents.pipeline.registry import ArtifactRegistry
from hetero_agents.pipeline.route import route
from hetero_agents.routing import ChatRouter
from hetero_agents.routing.embedders import HashingEmbedder
from hetero_agents.routing.policies.cluster import ClusterPolicy

MODEL = "smollm2-135m"


@pytest.mark.model
def test_a_published_artifact_serves_each_cluster_from_its_tier(tmp_path: Path) -> None:
    embedder = HashingEmbedder(64)
    found = clustering(embedder, [GREET, PLAN, EXTRACT])
    route(
        found,
        [select(0, MODEL, "few-shot"), select(1, MODEL), select(2, None)],
        tmp_path / "routers",
        shots={0: [example("s0", [GREET[0], GREET[1]], "Hello")]},
    )
    registry = ArtifactRegistry(tmp_path / "routers")
    policy = ClusterPolicy(registry.current_path(), embedder, verify=False)

    slms = policy.artifact.build_slms(n_threads=1, max_tokens=8, n_ctx=512)

    assert list(slms) == [f"{MODEL}+fewshot-c0", MODEL]
    few_shot = slms[f"{MODEL}+fewshot-c0"]
    assert isinstance(few_shot, FewShotChatModel)
    assert few_shot.model is slms[MODEL]  # one llama.cpp model behind both keys
    llm = FakeListChatModel(responses=["3 May"])
    router = ChatRouter(llm=llm, slms=slms, policy=policy)
    with capture(tmp_path / "logs.db") as logger:
        greet = router.invoke(GREET)
        plan = router.invoke(PLAN)
        extract = router.invoke(EXTRACT)

    assert greet.response_metadata["hetero"]["model"] == f"{MODEL}+fewshot-c0"
    assert plan.response_metadata["hetero"]["model"] == MODEL
    assert {
        greet.response_metadata["hetero"]["tier"],
        plan.response_metadata["hetero"]["tier"],
    } == {"slm"}
    assert isinstance(greet.content, str)
    assert greet.content.strip()
    assert (extract.response_metadata["hetero"]["tier"], extract.content) == ("llm", "3 May")
    calls = list(logger.store.calls(status="ok"))
    flags = detect_drift(calls, policy.artifact, min_calls=1)
    logger.store.close()
    measured = {(f.metric, f.cluster_id): f.value for f in flags}
    assert measured == {
        ("far_calls", None): 0.0,
        ("escalation_rate", 0): 0.0,
        ("validation_failures", 0): 0.0,
        ("escalation_rate", 1): 0.0,
        ("validation_failures", 1): 0.0,
    }
