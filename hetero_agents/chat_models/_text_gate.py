"""Streams free text while watching it for stop sequences and the start of a tool call.

With ``tool_choice="auto"`` the model writes unconstrained text and may at any point
begin a tool call. Models spell that beginning in two ways: a ``<tool_call>`` tag
(the form Qwen's and Hermes-style templates teach, and the one this library's
fallback prompt asks for), or, at the very start of the answer, a bare JSON object
``{"name": ...`` (optionally in a code fence), which is what Qwen2.5-Coder-0.5B
actually does. :class:`TextGate` reports the first such *trigger* (or stop sequence)
with its position, so the caller can rewind to it and let the grammar take over.

Text is only released once it can no longer turn out to be part of a trigger or
stop sequence, so neither markup nor a stop string ever reaches the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hetero_agents.chat_models._grammar import TOOL_CALL_OPEN

GateEventKind = Literal["stop", "tagged_call", "bare_call"]

_BARE_CALL = re.compile(r'\s*(?:```[A-Za-z]*\s*)?(\{)\s*"name"\s*:')
_NAME_KEY = '"name"'


@dataclass(frozen=True, slots=True)
class GateEvent:
    """A stop sequence or tool-call start found at character ``index`` of the text."""

    kind: GateEventKind
    index: int


def _could_become_bare_call(text: str) -> bool:
    """Whether more text could still make ``text`` match the bare-call opening."""
    i, n = 0, len(text)
    while i < n and text[i].isspace():
        i += 1
    if i < n and text[i] == "`":
        fence = text[i : i + 3]
        if fence != "```":
            return "```".startswith(fence)
        i += 3
        while i < n and text[i].isalpha():
            i += 1
        while i < n and text[i].isspace():
            i += 1
    if i == n:
        return True
    if text[i] != "{":
        return False
    rest = text[i + 1 :].lstrip()
    if len(rest) <= len(_NAME_KEY):
        return _NAME_KEY.startswith(rest)
    return rest.startswith(_NAME_KEY) and rest[len(_NAME_KEY) :].lstrip() in ("", ":")


def _held_suffix(text: str, literal: str) -> int:
    """Length of the longest proper prefix of ``literal`` that ``text`` ends with."""
    for k in range(min(len(literal) - 1, len(text)), 0, -1):
        if text.endswith(literal[:k]):
            return k
    return 0


class TextGate:
    """Incremental detector for stop sequences and tool-call starts.

    Args:
        stops: Stop sequences; the text before the first one is the answer.
        watch_tool_calls: Whether to look for tool-call starts (``auto`` mode).
    """

    def __init__(self, stops: Sequence[str], *, watch_tool_calls: bool) -> None:
        self._stops = [s for s in stops if s]
        self._literals = [*self._stops, *([TOOL_CALL_OPEN] if watch_tool_calls else [])]
        self._longest = max((len(s) for s in self._literals), default=0)
        self._watch_tags = watch_tool_calls
        self._bare_possible = watch_tool_calls
        self.text = ""
        self._emitted = 0

    def _find_event(self, search_from: int) -> GateEvent | None:
        found: GateEvent | None = None
        for stop in self._stops:
            index = self.text.find(stop, search_from)
            if index >= 0 and (found is None or index < found.index):
                found = GateEvent("stop", index)
        if self._watch_tags:
            index = self.text.find(TOOL_CALL_OPEN, search_from)
            if index >= 0 and (found is None or index < found.index):
                found = GateEvent("tagged_call", index)
        if self._bare_possible:
            match = _BARE_CALL.match(self.text)
            if match is not None:
                index = match.start(1)
                if found is None or index < found.index:
                    found = GateEvent("bare_call", index)
            elif not _could_become_bare_call(self.text):
                self._bare_possible = False
        return found

    def feed(self, delta: str) -> tuple[str, GateEvent | None]:
        """Add newly decoded text.

        Returns:
            The text that is now safe to show, and the first event found (after
            which the caller must stop feeding).
        """
        search_from = max(0, len(self.text) - self._longest + 1)
        self.text += delta
        event = self._find_event(search_from)
        if event is not None:
            cut = event.index if event.kind != "bare_call" else self._emitted
        elif self._bare_possible:
            cut = self._emitted  # could still be the opening of a bare JSON call
        else:
            held = max((_held_suffix(self.text, lit) for lit in self._literals), default=0)
            cut = len(self.text) - held
        cut = max(cut, self._emitted)
        released, self._emitted = self.text[self._emitted : cut], cut
        return released, event

    def flush(self) -> str:
        """Release what was held back once generation has ended without an event."""
        released, self._emitted = self.text[self._emitted :], len(self.text)
        return released
