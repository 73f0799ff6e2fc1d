"""SLM first; serve its answer only if it passes the checks, else ask the LLM."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from hetero_agents.routing.decision import Decision
from hetero_agents.routing.validators import (
    BUILTIN_VALIDATORS,
    MinMeanLogprob,
    UserCheck,
    Validator,
    as_validator,
    first_failure,
)

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage, BaseMessage

    from hetero_agents.routing.context import RouteContext


def build_verifier(
    checks: Iterable[UserCheck | Validator] = (),
    *,
    min_mean_logprob: float | None = None,
    builtin: bool = True,
) -> tuple[Validator, ...]:
    """Assemble the ordered list of checks a cascade runs on an SLM answer.

    Built-in structural checks come first (they are cheap and the most common
    failures), then the confidence threshold, then the user's checks.
    """
    validators: list[Validator] = list(BUILTIN_VALIDATORS) if builtin else []
    if min_mean_logprob is not None:
        validators.append(MinMeanLogprob(min_mean_logprob))
    validators.extend(as_validator(check) for check in checks)
    return tuple(validators)


class CascadePolicy:
    """Every call goes to the SLM first; a failed check sends it to the LLM.

    The router buffers the SLM's answer (also when streaming) until the checks
    pass, so a caller never sees a half-SLM, half-LLM stream and a tool call is
    never turned into prose. See :mod:`hetero_agents.routing.validators` for
    what is checked.

    Args:
        slm: Which SLM answers first (``None``: the router's first SLM).
        validators: Extra checks: callables ``(message, context) -> bool | str | None``.
        min_mean_logprob: Escalate answers whose mean token logprob is below this.
        builtin: Run the built-in checks (non-empty, tool calls, structured output).
    """

    name = "cascade"

    def __init__(
        self,
        slm: str | None = None,
        *,
        validators: Iterable[UserCheck | Validator] = (),
        min_mean_logprob: float | None = None,
        builtin: bool = True,
    ) -> None:
        self.slm = slm
        self.validators = build_verifier(
            validators, min_mean_logprob=min_mean_logprob, builtin=builtin
        )

    def verify(self, message: AIMessage, context: RouteContext) -> str | None:
        """Run the checks in order; the first failure is the escalation reason."""
        return first_failure(self.validators, message, context)

    def decide(self, messages: Sequence[BaseMessage], context: RouteContext) -> Decision:
        """Plan the SLM with verification, or the LLM when there is no SLM."""
        if not context.slms:
            return Decision("llm", self.name, "no SLM configured")
        return Decision(
            "slm", self.name, "SLM first, verified before serving", self.slm, verify=self.verify
        )

    def __repr__(self) -> str:
        return f"CascadePolicy(slm={self.slm!r}, validators={len(self.validators)})"
