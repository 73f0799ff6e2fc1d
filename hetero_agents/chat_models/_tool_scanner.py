"""Cuts grammar-constrained output into complete tool calls as it streams.

The grammar guarantees the shape (``{"name": ..., "arguments": {...}}``, optionally
between ``<tool_call>`` tags), so a brace-depth scanner that respects JSON strings
is enough to find where each call ends, even when an argument value itself
contains braces or ``</tool_call>``.

Calls are released whole, never argument-by-argument: LangChain merges streamed
tool-call chunks with a *partial* JSON parser, so a call cut off by ``max_tokens``
would otherwise surface as a valid-looking call with missing arguments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hetero_agents.errors import ToolCallParseError


@dataclass(frozen=True, slots=True)
class ParsedCall:
    """One complete tool call: the tool's name and its arguments as a JSON object."""

    name: str
    args: dict[str, Any]


def parse_call_object(text: str) -> ParsedCall:
    """Parse one ``{"name": ..., "arguments": {...}}`` object.

    Raises:
        ToolCallParseError: ``text`` is not such an object (never the case for
            grammar-constrained output; kept as a guard against grammar bugs).
    """
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolCallParseError(f"tool call is not valid JSON: {text!r}") from exc
    if (
        not isinstance(obj, dict)
        or not isinstance(obj.get("name"), str)
        or not isinstance(obj.get("arguments", {}), dict)
    ):
        raise ToolCallParseError(f"tool call lacks a name or object arguments: {text!r}")
    return ParsedCall(obj["name"], obj.get("arguments", {}))


class ToolCallScanner:
    """Feeds on constrained text; returns each call once its JSON object closes."""

    def __init__(self) -> None:
        self._buffer: list[str] = []
        self._depth = 0
        self._in_string = False
        self._escaped = False

    @property
    def pending(self) -> str | None:
        """The text of a call that has started but not finished, if any."""
        return "".join(self._buffer) if self._buffer else None

    def feed(self, text: str) -> list[ParsedCall]:
        """Consume ``text``; return the calls it completed, in order."""
        calls: list[ParsedCall] = []
        for ch in text:
            if self._depth == 0:
                if ch == "{":  # tags, newlines and spaces between calls are skipped
                    self._depth = 1
                    self._buffer = [ch]
                continue
            self._buffer.append(ch)
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif ch == "\\":
                    self._escaped = True
                elif ch == '"':
                    self._in_string = False
            elif ch == '"':
                self._in_string = True
            elif ch == "{":
                self._depth += 1
            elif ch == "}":
                self._depth -= 1
                if self._depth == 0:
                    calls.append(parse_call_object("".join(self._buffer)))
                    self._buffer = []
        return calls
