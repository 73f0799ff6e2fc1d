"""The one interface every routing policy implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from hetero_agents.routing.context import RouteContext
    from hetero_agents.routing.decision import Decision


@runtime_checkable
class Policy(Protocol):
    """Decides, for one call, which tier answers.

    ``decide`` runs on the calling thread before every model call, so it must be
    cheap and must not raise for ordinary input: when a policy cannot decide
    (no SLM configured, an unknown call) it returns a decision for the LLM with a
    reason. The router treats an exception from ``decide`` as a reason to use the
    LLM, and records it.

    Attributes:
        name: A short name recorded with every call (``"rule"``, ``"cascade"``, ...).
    """

    name: str

    def decide(self, messages: Sequence[BaseMessage], context: RouteContext) -> Decision:
        """Plan the tier for a call with these messages and this context."""
        ...
