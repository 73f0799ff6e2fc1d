"""Do two answers to the same call agree? The evidence for moving a task to an SLM."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage

AgreementKind = Literal["tool_calls", "text", "mixed"]

_MAX_TEXT = 4000  # SequenceMatcher is quadratic in the worst case; answers beyond this are cut


@dataclass(frozen=True, slots=True)
class Agreement:
    """How two answers compare.

    Attributes:
        agreed: Same tool calls with the same arguments, or texts at least
            ``text_threshold`` similar.
        similarity: 0..1; for tool calls the share of calls both answers make
            identically, for text a character-level similarity ratio.
        kind: ``"tool_calls"`` (both call tools), ``"text"`` (both answer in text)
            or ``"mixed"`` (one calls a tool, the other does not: never agreement).
    """

    agreed: bool
    similarity: float
    kind: AgreementKind


def _calls(message: AIMessage) -> Counter[tuple[str, str]]:
    return Counter(
        (call["name"], json.dumps(call["args"], sort_keys=True, default=str))
        for call in message.tool_calls
    )


def _normalize(text: str) -> str:
    return " ".join(text.lower().split())[:_MAX_TEXT]


def compare(a: AIMessage, b: AIMessage, *, text_threshold: float = 0.8) -> Agreement:
    """Compare two answers to the same request.

    Tool calls agree when both answers make the same multiset of calls (tool name
    plus arguments, key order and call ids ignored); texts agree when their
    whitespace- and case-normalised similarity is at least ``text_threshold``.
    """
    if a.tool_calls or b.tool_calls:
        if not (a.tool_calls and b.tool_calls):
            return Agreement(agreed=False, similarity=0.0, kind="mixed")
        left, right = _calls(a), _calls(b)
        shared = sum((left & right).values())
        total = max(sum(left.values()), sum(right.values()))
        return Agreement(agreed=left == right, similarity=shared / total, kind="tool_calls")
    x, y = _normalize(a.text), _normalize(b.text)
    if x == y:
        return Agreement(agreed=True, similarity=1.0, kind="text")
    ratio = SequenceMatcher(None, x, y, autojunk=False).ratio()
    return Agreement(agreed=ratio >= text_threshold, similarity=ratio, kind="text")
