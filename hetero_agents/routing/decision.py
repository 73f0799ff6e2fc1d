"""What a policy decides for one call, and how the router reports what it did.

A :class:`Decision` is the policy's *plan* (which tier, why, and whether the
answer must be verified first). :class:`RouteReport` is what actually happened
(which tier served, whether it escalated and why); it becomes the
``response_metadata["hetero"]`` dict that :class:`~hetero_agents.logs.logger.CallLogger`
records and the conversion pipeline learns from. The dict's keys are a contract:
``tier, model, policy, score, reason, escalated, escalation_reason, task`` are
always present; ``fallback_reason``, ``shadow`` and ``node`` are extras.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypedDict

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage

    from hetero_agents.routing.context import RouteContext
    from hetero_agents.routing.policies.shadow import ShadowPlan

Tier = Literal["slm", "llm"]
"""The two kinds of tier: a small model (usually in-process) or the user's large model."""

TIERS: tuple[Tier, ...] = ("slm", "llm")

Verifier = Callable[["AIMessage", "RouteContext"], "str | None"]
"""Checks an SLM answer before it is served: ``None`` means valid, a string says why not."""


@dataclass(frozen=True, slots=True)
class Decision:
    """A policy's plan for one call.

    Attributes:
        tier: The tier that should answer.
        model: Which SLM (a key of ``ChatRouter.slms``) when ``tier`` is ``"slm"``;
            ``None`` lets the router use its first SLM. Ignored for the LLM.
        policy: Name of the policy that decided (recorded with every call).
        reason: A short human-readable why, recorded with every call.
        score: The policy's confidence or distance, when it has one.
        verify: When set, the SLM's answer is buffered and checked by this function
            before it is served; a failure sends the same request to the LLM.
        shadow: When set, the other tier is run on this call in the background and
            the agreement of the two answers is recorded (see ``ShadowPolicy``).
        cluster: The learned cluster the call belongs to (``ClusterPolicy``), so logs
            and drift checks can count per cluster.
    """

    tier: Tier
    policy: str
    reason: str
    model: str | None = None
    score: float | None = None
    verify: Verifier | None = None
    shadow: ShadowPlan | None = None
    cluster: int | None = None


class HeteroMetadata(TypedDict):
    """The ``response_metadata["hetero"]`` dict stamped on every routed response."""

    tier: Tier
    model: str
    policy: str
    score: float | None
    reason: str
    escalated: bool
    escalation_reason: str | None
    task: str | None
    node: str | None
    fallback_reason: str | None
    shadow: str | None
    cluster: int | None


@dataclass(slots=True)
class RouteReport:
    """What the router did for one call; mutable while the call is in flight."""

    decision: Decision
    tier: Tier
    model: str
    task: str | None = None
    node: str | None = None
    escalated: bool = False
    escalation_reason: str | None = None
    fallback_reason: str | None = None
    shadow: str | None = None

    def escalate(self, model: str, reason: str) -> None:
        """Record that the SLM's answer was not served and the LLM answers instead."""
        self.tier = "llm"
        self.model = model
        self.escalated = True
        self.escalation_reason = reason

    def fall_back(self, model: str, reason: str) -> None:
        """Record that the LLM failed and an SLM answers instead."""
        self.tier = "slm"
        self.model = model
        self.fallback_reason = reason

    def as_metadata(self) -> HeteroMetadata:
        """The JSON-ready dict for ``response_metadata["hetero"]``."""
        return {
            "tier": self.tier,
            "model": self.model,
            "policy": self.decision.policy,
            "score": self.decision.score,
            "reason": self.decision.reason,
            "escalated": self.escalated,
            "escalation_reason": self.escalation_reason,
            "task": self.task,
            "node": self.node,
            "fallback_reason": self.fallback_reason,
            "shadow": self.shadow,
            "cluster": self.decision.cluster,
        }


def describe_error(exc: BaseException, source: str) -> str:
    """A one-line, recordable description of why ``source`` (a tier, a policy) failed.

    ``ContextWindowExceeded`` gets its own code because the pipeline treats it as
    a property of the task (prompts too long for the SLM), not as a model bug.
    """
    from hetero_agents.errors import ContextWindowExceeded

    if isinstance(exc, ContextWindowExceeded):
        code = "context_window_exceeded"
    else:
        code = f"{source}_error"
    lines = str(exc).strip().splitlines()
    detail = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return f"{code}: {detail}"[:300]


def as_dict(value: HeteroMetadata) -> dict[str, Any]:
    """Widen the typed dict for APIs that take ``dict[str, Any]``."""
    return dict(value)
