"""Redacting a recorded call again, without confusing new placeholders with old ones.

Logs written by an older version, by another tool, or with ``NoRedaction()``
may hold PII or secrets, so ``curate`` passes every call through the redactor
again, in one scope per call so that a value repeated in the messages, the
tools and the answer gets one placeholder. Most of a re-scrubbed call was
already redacted at capture and holds placeholders such as ``<EMAIL_1>``; a
fresh scope would number a newly found address ``<EMAIL_1>`` too, merging two
people into one. :class:`_ContinuingScope` therefore leaves existing
placeholders untouched and numbers new values after the highest number of
their type already in the call.

Only what was said is redacted, exactly as at capture: message content,
``additional_kwargs``, artifacts and tool-call arguments. Ids, types, tool-call
ids and metadata are structure, and changing them would break the links
between a tool call and the result that answers it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hetero_agents.redaction import JSONValue, RedactionScope, Redactor, redact_json

_PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*)_(\d+)>")
_CONTENT_FIELDS = ("content", "additional_kwargs", "artifact")
_CALL_FIELDS = ("tool_calls", "invalid_tool_calls")


class _ContinuingScope:
    """A scope that keeps the placeholders already in a call and numbers new ones after them."""

    __slots__ = ("_inner", "_offsets", "changed")

    def __init__(self, inner: RedactionScope, offsets: Mapping[str, int]) -> None:
        self._inner = inner
        self._offsets = offsets
        self.changed = False

    def redact(self, text: str) -> str:
        parts: list[str] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            parts.append(self._redact_new(text[position : match.start()]))
            parts.append(match.group(0))
            position = match.end()
        parts.append(self._redact_new(text[position:]))
        return "".join(parts)

    def _redact_new(self, text: str) -> str:
        if not text:
            return text
        redacted = self._inner.redact(text)
        if redacted == text:
            return text
        self.changed = True
        if not self._offsets:
            return redacted
        return _PLACEHOLDER.sub(self._shift, redacted)

    def _shift(self, match: re.Match[str]) -> str:
        kind, number = match.group(1), int(match.group(2))
        return f"<{kind}_{number + self._offsets.get(kind, 0)}>"


class Scrubber:
    """Re-redacts calls with one redactor; remembers tool sets known to be clean.

    Bound tool schemas repeat on every call of a node and rarely hold PII, so a
    tool set that came back unchanged once is not scanned again.
    """

    def __init__(self, redactor: Redactor) -> None:
        """Use ``redactor`` (the same one the logger used, ideally)."""
        self.redactor = redactor
        self._clean_tools: set[str] = set()

    def scrub(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None,
        response: dict[str, Any],
        tools_key: str | None,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None, dict[str, Any], bool]:
        """Redacted copies of one call's messages, tools and answer, and whether any changed.

        Args:
            messages: Stored message dicts (``{"type", "data"}``).
            tools: The bound tools, if any.
            response: The stored answer dict.
            tools_key: Canonical JSON of ``tools`` (to skip tool sets known clean).
        """
        scope = _ContinuingScope(self.redactor.scope(), _offsets(messages, tools, response))
        scrubbed_messages = [scrub_message(message, scope) for message in messages]
        scrubbed_tools = tools
        if tools and tools_key not in self._clean_tools:
            before = scope.changed
            scope.changed = False
            scrubbed_tools = _as_dicts(redact_json(_json(tools), scope))
            if not scope.changed and tools_key is not None:
                self._clean_tools.add(tools_key)
            scope.changed = scope.changed or before
        scrubbed_response = scrub_message(response, scope)
        return scrubbed_messages, scrubbed_tools, scrubbed_response, scope.changed


def scrub_message(message: Mapping[str, Any], scope: RedactionScope) -> dict[str, Any]:
    """A copy of a stored message dict with what was said redacted (see the module doc)."""
    data = dict(message.get("data") or {})
    for name in _CONTENT_FIELDS:
        value = data.get(name)
        if value:
            data[name] = redact_json(value, scope)
    for name in _CALL_FIELDS:
        calls = data.get(name)
        if calls:
            data[name] = [_scrub_call(call, scope) for call in calls]
    return {**message, "data": data}


def _scrub_call(call: Any, scope: RedactionScope) -> Any:
    if not isinstance(call, Mapping):
        return call
    copied = dict(call)
    if copied.get("args") is not None:
        copied["args"] = redact_json(copied["args"], scope)
    return copied


def _offsets(*values: Any) -> dict[str, int]:
    """The highest placeholder number of each type already in a call's values."""
    found: dict[str, int] = {}
    for match in _PLACEHOLDER.finditer(repr(values)):
        kind, number = match.group(1), int(match.group(2))
        if number > found.get(kind, 0):
            found[kind] = number
    return found


def _json(value: Any) -> JSONValue:
    return value  # type: ignore[no-any-return]


def _as_dicts(value: JSONValue) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise TypeError("redacting a tool list must give a list")
    return [item for item in value if isinstance(item, dict)]


__all__ = ["Scrubber", "scrub_message"]
