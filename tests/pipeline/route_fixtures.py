"""Small real records for the route / registry / drift tests: clusterings, examples, calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, messages_to_dict

from hetero_agents.logs.records import CallRecord
from hetero_agents.pipeline.records import Cluster, Clustering, Example, Selection
from hetero_agents.routing.artifact import ClusterSpec, EmbeddingSpec, RouterArtifact
from hetero_agents.routing.embedders import HashingEmbedder
from hetero_agents.routing.text import TEXT_VERSION, routing_text

EXTRACT = [SystemMessage("Extract every date from the text."), HumanMessage("Meet on 3 May.")]
PLAN = [SystemMessage("Plan the trip step by step."), HumanMessage("Go to Rome in June.")]
GREET = [SystemMessage("Reply with a one-word greeting."), HumanMessage("Say hello.")]


def example(call_id: str, request: list[Any], answer: str, *, split: str = "train") -> Example:
    return Example(
        call_id=call_id,
        text=routing_text(request),
        messages=messages_to_dict(request),
        tools=None,
        response=messages_to_dict([AIMessage(answer)])[0],
        split=split,  # type: ignore[arg-type]
        group="g",
    )


def clustering(embedder: HashingEmbedder, requests: list[list[Any]]) -> Clustering:
    vectors = embedder.embed([routing_text(r) for r in requests])
    clusters = [
        Cluster(id=i, label=f"task {i}", centroid=vectors[i], threshold=0.3, size=10 + i, task=None)
        for i in range(len(requests))
    ]
    assignments = {f"c{i}-{j}": i for i in range(len(requests)) for j in range(10)}
    # one call of cluster 0 lies beyond its threshold: a 5% far share overall for two clusters
    distances = {call: (0.5 if call == "c0-0" else 0.1) for call in assignments}
    return Clustering(
        clusters=clusters,
        assignments=assignments,
        distances=distances,
        embedder=embedder.name,
        dim=embedder.dim,
        text_version=TEXT_VERSION,
        method="kmeans+silhouette",
    )


def select(
    cluster_id: int, model: str | None, mode: str | None = "zero-shot", **kw: Any
) -> Selection:
    tier = "slm" if model else "llm"
    return Selection(
        cluster_id=cluster_id,
        tier=tier,  # type: ignore[arg-type]
        reason=f"test: {tier}",
        required=0.8,
        model=model,
        mode=mode if model else None,  # type: ignore[arg-type]
        score=0.9,
        **kw,
    )


def small_artifact(*, shots: dict[int, list[Example]] | None = None) -> RouterArtifact:
    spec = EmbeddingSpec(model="hashing-4", dim=4)
    clusters = [
        ClusterSpec(id=0, label="zero", tier="slm", model="m", threshold=0.3),
        ClusterSpec(id=1, label="shots", tier="slm", model="m", threshold=0.3),
        ClusterSpec(id=2, label="plan", tier="llm", threshold=0.5),
    ]
    return RouterArtifact(spec, clusters, np.eye(3, 4, dtype=np.float32), shots=shots)


T0 = datetime(2030, 1, 1, tzinfo=UTC)


def routed_call(
    index: int,
    reason: str,
    *,
    escalated: bool = False,
    escalation_reason: str | None = None,
    policy: str = "cluster",
    when: datetime | None = None,
    **extra: Any,
) -> CallRecord:
    route = {
        "tier": "llm" if escalated else "slm",
        "model": "m",
        "policy": policy,
        "score": 0.1,
        "reason": reason,
        "escalated": escalated,
        "escalation_reason": escalation_reason,
        "task": None,
        "node": None,
        **extra,
    }
    return CallRecord(
        id=f"call{index:05d}",
        datetime_utc=when or T0 + timedelta(seconds=index),
        duration_ms=1.0,
        ttft_ms=None,
        run_id=None,
        parent_run_id=None,
        parent_call_id=None,
        n_children=1,
        thread_id=None,
        node=None,
        step=None,
        task=None,
        tier=route["tier"],
        model="m",
        provider=None,
        route=route,
        messages=None,
        tools=None,
        options=None,
        prompt=None,
        response="ok",
        tool_calls=None,
        finish_reason="stop",
        response_message=None,
        input_tokens=1,
        output_tokens=1,
        usage=None,
        cost_usd=None,
        status="ok",
        error_type=None,
        error=None,
        streamed=False,
        tags=[],
        metadata={},
        content_captured=False,
        encrypted=False,
    )
