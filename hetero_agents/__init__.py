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
    "CallLogger": "hetero_agents.capture.logger",
    "ChatLlamaCpp": "hetero_agents.chat_models.llama_cpp",
    "DefaultRedactor": "hetero_agents.capture.redaction",
    "LogStore": "hetero_agents.capture.store",
    "Redactor": "hetero_agents.capture.redaction",
    "capture": "hetero_agents.capture.logger",
    "load_model": "hetero_agents.models.loader",
}

__all__ = [
    "CallLogger",
    "ChatLlamaCpp",
    "DefaultRedactor",
    "LogStore",
    "Redactor",
    "__version__",
    "capture",
    "load_model",
]

if TYPE_CHECKING:
    from hetero_agents.capture.logger import CallLogger, capture
    from hetero_agents.capture.redaction import DefaultRedactor, Redactor
    from hetero_agents.capture.store import LogStore
    from hetero_agents.chat_models.llama_cpp import ChatLlamaCpp
    from hetero_agents.models.loader import load_model


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hetero_agents' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
