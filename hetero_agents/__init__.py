"""hetero-agents: small language models for most of an agent's calls, the LLM where needed.

Public names are imported lazily (PEP 562) so that ``import hetero_agents`` is
instant and works without the heavy extras; the first use of a name imports
its module, and a missing extra then raises an error naming the install.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "CallLogger": "hetero_agents.logs.logger",
    "CascadePolicy": "hetero_agents.routing.policies.cascade",
    "ChatLlamaCpp": "hetero_agents.chat_models.llama_cpp",
    "ChatRouter": "hetero_agents.routing.router",
    "ClusterPolicy": "hetero_agents.routing.policies.cluster",
    "DefaultRedactor": "hetero_agents.redaction",
    "LogStore": "hetero_agents.logs.store",
    "Redactor": "hetero_agents.redaction",
    "RouterArtifact": "hetero_agents.routing.artifact",
    "RulePolicy": "hetero_agents.routing.policies.rule",
    "ShadowPolicy": "hetero_agents.routing.policies.shadow",
    "capture": "hetero_agents.logs.logger",
    "hetero_node": "hetero_agents.routing.node",
    "load_model": "hetero_agents.models.loader",
    "slm_tool": "hetero_agents.routing.slm_tool",
}

__all__ = [
    "CallLogger",
    "CascadePolicy",
    "ChatLlamaCpp",
    "ChatRouter",
    "ClusterPolicy",
    "DefaultRedactor",
    "LogStore",
    "Redactor",
    "RouterArtifact",
    "RulePolicy",
    "ShadowPolicy",
    "__version__",
    "capture",
    "hetero_node",
    "load_model",
    "slm_tool",
]

if TYPE_CHECKING:
    from hetero_agents.chat_models.llama_cpp import ChatLlamaCpp
    from hetero_agents.logs.logger import CallLogger, capture
    from hetero_agents.logs.store import LogStore
    from hetero_agents.models.loader import load_model
    from hetero_agents.redaction import DefaultRedactor, Redactor
    from hetero_agents.routing.artifact import RouterArtifact
    from hetero_agents.routing.node import hetero_node
    from hetero_agents.routing.policies.cascade import CascadePolicy
    from hetero_agents.routing.policies.cluster import ClusterPolicy
    from hetero_agents.routing.policies.rule import RulePolicy
    from hetero_agents.routing.policies.shadow import ShadowPolicy
    from hetero_agents.routing.router import ChatRouter
    from hetero_agents.routing.slm_tool import slm_tool


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hetero_agents' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
