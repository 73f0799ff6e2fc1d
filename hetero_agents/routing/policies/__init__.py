"""Routing policies: each decides, per call, which tier answers.

``RulePolicy`` (static, by node / task / tag), ``CascadePolicy`` (SLM first,
verified), ``ClusterPolicy`` (learned from the conversion pipeline's router
artifact) and ``ShadowPolicy`` (wraps any of them to gather agreement evidence)
all implement :class:`Policy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hetero_agents.routing.policies.base import Policy
from hetero_agents.routing.policies.cascade import CascadePolicy
from hetero_agents.routing.policies.rule import Rule, RulePolicy
from hetero_agents.routing.policies.shadow import ShadowPolicy, ShadowResult, ShadowStats

if TYPE_CHECKING:
    from hetero_agents.routing.policies.cluster import ClusterPolicy

__all__ = [
    "CascadePolicy",
    "ClusterPolicy",
    "Policy",
    "Rule",
    "RulePolicy",
    "ShadowPolicy",
    "ShadowResult",
    "ShadowStats",
]


def __getattr__(name: str) -> Any:
    # ClusterPolicy needs numpy (the ``pipeline`` extra): import it on first use only
    if name == "ClusterPolicy":
        from hetero_agents.routing.policies.cluster import ClusterPolicy

        return ClusterPolicy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
