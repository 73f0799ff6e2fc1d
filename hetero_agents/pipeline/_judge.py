"""An LLM as the judge of whether two free-text answers say the same thing.

Embedding similarity cannot tell "the meeting is at 3" from "the meeting is at
4"; a capable model can. The judge is asked through structured output, so its
verdict is a boolean and never a sentence to be parsed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

logger = logging.getLogger(__name__)

_MAX_CHARS = 4000  # per text shown to the judge: enough for an agent's answer, bounded cost

_INSTRUCTIONS = (
    "You compare two answers to the same request. Decide whether the candidate answer "
    "gives the same answer as the reference: the same facts, decisions and values. "
    "Wording, length and style do not matter; a different fact, number, name or "
    "conclusion does."
)


class Verdict(BaseModel):
    """The judge's decision."""

    same: bool = Field(description="true if the candidate gives the same answer as the reference")
    reason: str = Field(description="one short sentence explaining the decision")


def judge_agrees(
    judge: BaseChatModel,
    reference: str,
    candidate: str,
    request: Sequence[BaseMessage] | None = None,
) -> tuple[bool, str] | None:
    """Ask ``judge`` whether ``candidate`` says what ``reference`` says.

    Returns:
        ``(same, reason)``, or ``None`` when the judge failed (the caller then
        falls back to embedding similarity; the failure is logged, not raised,
        so one flaky judge call does not sink a whole selection run).
    """
    from langchain_core.messages import HumanMessage, SystemMessage

    asked = _last_user_text(request) if request else ""
    prompt = (
        (f"Request:\n{asked[:_MAX_CHARS]}\n\n" if asked else "")
        + f"Reference answer:\n{reference[:_MAX_CHARS]}\n\n"
        + f"Candidate answer:\n{candidate[:_MAX_CHARS]}"
    )
    try:
        result = judge.with_structured_output(Verdict).invoke(
            [SystemMessage(_INSTRUCTIONS), HumanMessage(prompt)]
        )
        verdict = result if isinstance(result, Verdict) else Verdict.model_validate(result)
    except Exception:
        logger.warning("the LLM judge failed; using embedding similarity", exc_info=True)
        return None
    return verdict.same, verdict.reason


def _last_user_text(messages: Sequence[BaseMessage]) -> str:
    for message in reversed(messages):
        if message.type == "human":
            return message.text
    return ""
