"""The text a call is embedded as, for learned routing.

The router embeds live calls and the pipeline embeds logged calls; both must
use exactly this function, or the clusters would not match what the router
sees. Its version is recorded in the router artifact (``text_version``).

What goes in, and why: the system prompt says *which* task the agent is doing
(in an agent it is per node), the last user message says *what* this instance
asks, and the bound tool names separate calls that look alike but must act
differently. Each part is cut so that one long document in a conversation does
not drown the rest (and the embedder's token limit is respected).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import BaseMessage

TEXT_VERSION = "v1"
"""Version of :func:`routing_text`; a change in what it produces bumps it."""

_SYSTEM_CHARS = 400
_USER_CHARS = 1000


def _tool_name(tool: Mapping[str, Any]) -> str:
    function = tool.get("function", tool)
    name = function.get("name") if isinstance(function, Mapping) else None
    return name if isinstance(name, str) else ""


def routing_text(
    messages: Sequence[BaseMessage], tools: Sequence[Mapping[str, Any]] | None = None
) -> str:
    r"""The text that represents a call for embedding (version :data:`TEXT_VERSION`).

    Args:
        messages: The call's messages.
        tools: The OpenAI-format tools bound to the call, if any.

    Returns:
        ``"system: ...\nuser: ...\ntools: a, b"`` with absent parts left out.
    """
    system = next((m for m in messages if m.type == "system"), None)
    user = next((m for m in reversed(messages) if m.type == "human"), None)
    parts: list[str] = []
    if system is not None:
        parts.append(f"system: {system.text.strip()[:_SYSTEM_CHARS]}")
    if user is not None:
        parts.append(f"user: {user.text.strip()[:_USER_CHARS]}")
    if tools:
        names = sorted(filter(None, (_tool_name(t) for t in tools)))
        parts.append(f"tools: {', '.join(names)}")
    return "\n".join(parts)
