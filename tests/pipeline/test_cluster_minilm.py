"""S3's quality bar with the real embedders: ARI >= 0.8 against the known tasks."""

from __future__ import annotations

import pytest
from sklearn.metrics import adjusted_rand_score

from hetero_agents.pipeline.cluster import cluster
from hetero_agents.pipeline.workload import DEFAULT_AGENTS, build_workload
from hetero_agents.routing.embedders import MINILM_NAME
from hetero_agents.routing.static_minilm import DIMS, STATIC_MINILM_NAME

pytestmark = pytest.mark.model


@pytest.fixture(scope="module", params=["default", "static"])
def embedder(request):
    from hetero_agents.pipeline import _embed_unique

    if request.param == "default":
        return _embed_unique.default_embedder()
    return _embed_unique.static_embedder()


@pytest.mark.parametrize("shared_prompt", [False, True], ids=["own-prompts", "shared-prompt"])
def test_recovers_the_known_tasks(embedder, shared_prompt):
    calls = build_workload(200, seed=11, shared_prompt=shared_prompt)
    found = cluster(calls, embedder=embedder, progress=False)
    truth = [c.task for c in calls]
    predicted = [found.assignments[c.call_id] for c in calls]
    ari = adjusted_rand_score(truth, predicted)
    assert ari >= 0.8, (ari, found.criterion)
    assert (found.embedder, found.dim) in {(STATIC_MINILM_NAME, DIMS), (MINILM_NAME, 384)}
    # most clusters are named after the agent whose calls they hold
    named = [c.task for c in found.clusters if c.task is not None]
    assert len(set(named)) >= 0.75 * len(DEFAULT_AGENTS)


def test_the_default_is_the_full_minilm():
    from hetero_agents.pipeline._embed_unique import default_embedder

    assert default_embedder().name == MINILM_NAME
