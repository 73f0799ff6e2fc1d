"""Heterogeneous routing: SLMs by default, the LLM where needed.

Three ways in, as in the paper: :class:`ChatRouter` (a drop-in chat model that
chooses a tier per call), :func:`slm_tool` (an SLM as a tool of the LLM), and
:func:`hetero_node` (per LangGraph node). Policies decide the router's calls.

Names that need the ``pipeline`` extra (numpy, sentence-transformers) are
imported on first use, so ``import hetero_agents.routing`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hetero_agents.routing.context import RouteContext
from hetero_agents.routing.decision import Decision, HeteroMetadata, Tier
from hetero_agents.routing.node import hetero_node
from hetero_agents.routing.policies import (
    CascadePolicy,
    Policy,
    Rule,
    RulePolicy,
    ShadowPolicy,
    ShadowResult,
)
from hetero_agents.routing.router import ChatRouter
from hetero_agents.routing.slm_tool import slm_tool
from hetero_agents.routing.validators import MinMeanLogprob, Validator

if TYPE_CHECKING:
    from hetero_agents.routing.artifact import ClusterSpec, EmbeddingSpec, RouterArtifact
    from hetero_agents.routing.embedders import (
        Embedder,
        HashingEmbedder,
        SentenceTransformerEmbedder,
    )
    from hetero_agents.routing.policies.cluster import ClusterPolicy

_LAZY: dict[str, str] = {
    "ClusterPolicy": "hetero_agents.routing.policies.cluster",
    "ClusterSpec": "hetero_agents.routing.artifact",
    "Embedder": "hetero_agents.routing.embedders",
    "EmbeddingSpec": "hetero_agents.routing.artifact",
    "HashingEmbedder": "hetero_agents.routing.embedders",
    "RouterArtifact": "hetero_agents.routing.artifact",
    "SentenceTransformerEmbedder": "hetero_agents.routing.embedders",
}

__all__ = [
    "CascadePolicy",
    "ChatRouter",
    "ClusterPolicy",
    "ClusterSpec",
    "Decision",
    "Embedder",
    "EmbeddingSpec",
    "HashingEmbedder",
    "HeteroMetadata",
    "MinMeanLogprob",
    "Policy",
    "RouteContext",
    "RouterArtifact",
    "Rule",
    "RulePolicy",
    "SentenceTransformerEmbedder",
    "ShadowPolicy",
    "ShadowResult",
    "Tier",
    "Validator",
    "hetero_node",
    "slm_tool",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        if exc.name == "numpy":
            from hetero_agents.errors import MissingExtraError

            raise MissingExtraError("numpy", "pipeline") from exc
        raise
    globals()[name] = value
    return value
