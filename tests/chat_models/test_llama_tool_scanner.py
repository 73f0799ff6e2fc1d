"""ToolCallScanner: complete calls only, in order, robust to braces inside strings."""

from __future__ import annotations

import pytest

from hetero_agents.chat_models._tool_scanner import ParsedCall, ToolCallScanner
from hetero_agents.errors import ToolCallParseError


def scan(pieces: list[str]) -> tuple[list[ParsedCall], str | None]:
    scanner = ToolCallScanner()
    calls = [call for piece in pieces for call in scanner.feed(piece)]
    return calls, scanner.pending


def test_call_is_released_only_when_its_object_closes() -> None:
    scanner = ToolCallScanner()
    assert scanner.feed('\n{"name": "f", "arguments": {"a": ') == []
    assert scanner.pending is not None
    assert scanner.feed("1}}") == [ParsedCall("f", {"a": 1})]
    assert scanner.pending is None


def test_braces_quotes_and_tags_inside_strings_do_not_end_a_call() -> None:
    text = '{"name": "echo", "arguments": {"s": "a } \\" { </tool_call> b"}}'
    calls, pending = scan(list(text))
    assert calls == [ParsedCall("echo", {"s": 'a } " { </tool_call> b'})]
    assert pending is None


def test_several_tagged_calls_come_out_in_order() -> None:
    text = (
        '{"name": "a", "arguments": {}}\n</tool_call>\n<tool_call>\n'
        '{"name": "b", "arguments": {"x": [1, {"y": 2}]}}\n</tool_call>'
    )
    calls, _ = scan([text[i : i + 3] for i in range(0, len(text), 3)])
    assert calls == [ParsedCall("a", {}), ParsedCall("b", {"x": [1, {"y": 2}]})]


def test_truncated_call_stays_pending_and_is_not_returned() -> None:
    calls, pending = scan(['{"name": "f", "arguments": {"a": "unfinish'])
    assert calls == []
    assert pending == '{"name": "f", "arguments": {"a": "unfinish'


def test_a_malformed_object_raises_a_typed_error() -> None:
    with pytest.raises(ToolCallParseError, match="lacks a name"):
        scan(['{"arguments": {}}'])
