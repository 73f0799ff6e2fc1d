"""Tool calling over plain text, for models measured *without* a grammar.

The unconstrained baseline of a benchmark has to be fair to the model: a chat
template without tool support gets the tools in a system prompt
(:func:`tool_system_prompt`), and whatever the model writes back is read as
generously as a person would (:func:`parse_tool_calls`): ``<tool_call>`` tags,
bare or fenced JSON (``arguments``, ``parameters`` or ``args``; an object or a
JSON string), OpenAI's nested ``{"function": ...}`` form, lists of calls, and
Python call syntax (``get_weather(city="Paris")``), which is how BFCL prompts
non-tool models to answer.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypedDict


class TextToolCall(TypedDict):
    """A call read from text, shaped like LangChain's ``ToolCall`` (without an id)."""

    name: str
    args: dict[str, Any]


_TAGGED = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)", re.DOTALL)
_FENCED = re.compile(r"```[a-zA-Z]*\s*\n?(.*?)```", re.DOTALL)
_ARG_KEYS = ("arguments", "parameters", "args")


def tool_system_prompt(tools: Sequence[Mapping[str, Any]]) -> str:
    """A system prompt that offers ``tools`` to a model whose template cannot.

    It asks for the same ``<tool_call>{"name": ..., "arguments": ...}</tool_call>``
    form that tool-aware templates (Qwen2.5, Hermes) use, so the two baselines
    are asked the same question in the same words.
    """
    listed = "\n".join(json.dumps(t.get("function", t), ensure_ascii=False) for t in tools)
    return (
        "You are a function-calling assistant. These functions are available:\n"
        f"<tools>\n{listed}\n</tools>\n\n"
        "Answer the user by calling exactly one function. Reply with nothing but:\n"
        '<tool_call>{"name": "<function name>", "arguments": {<argument name>: <value>, ...}}'
        "</tool_call>"
    )


def parse_tool_calls(text: str) -> list[TextToolCall]:
    """Every tool call found in ``text``, read leniently; ``[]`` when there is none.

    The first form that yields calls wins, from the most explicit to the most
    guessed: ``<tool_call>`` blocks, fenced code blocks, JSON anywhere in the
    text, then Python call syntax.
    """
    tagged = _TAGGED.findall(text)
    if tagged:
        return [call for block in tagged for call in _calls_in_snippet(block)]
    for block in _FENCED.findall(text):
        calls = _calls_in_snippet(block)
        if calls:
            return calls
    calls = list(_json_calls_anywhere(text))
    if calls:
        return calls
    return _python_calls(text)


def _calls_in_snippet(snippet: str) -> list[TextToolCall]:
    snippet = snippet.strip()
    value = _load_json_like(snippet)
    if value is not None:
        return list(_calls_from_value(value))
    calls = list(_json_calls_anywhere(snippet))
    return calls or _python_calls(snippet)


def _load_json_like(snippet: str) -> Any:
    """JSON, or failing that a Python literal (single quotes, ``True``); ``None`` if neither."""
    try:
        return json.loads(snippet)
    except json.JSONDecodeError:
        pass
    try:
        return ast.literal_eval(snippet)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _json_calls_anywhere(text: str) -> Iterator[TextToolCall]:
    """Decode JSON values starting at each ``{`` or ``[`` and keep those that are calls."""
    decoder = json.JSONDecoder()
    position = 0
    while True:
        starts = [i for i in (text.find("{", position), text.find("[", position)) if i >= 0]
        if not starts:
            return
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            position = start + 1
            continue
        found = list(_calls_from_value(value))
        yield from found
        position = end if found else start + 1


def _calls_from_value(value: Any) -> Iterator[TextToolCall]:
    if isinstance(value, list):
        for item in value:
            yield from _calls_from_value(item)
        return
    if not isinstance(value, dict):
        return
    if isinstance(value.get("function"), dict):  # OpenAI: {"type": "function", "function": {...}}
        yield from _calls_from_value(value["function"])
        return
    name = value.get("name")
    if not isinstance(name, str) or not name:
        return
    raw_args: Any = next((value[k] for k in _ARG_KEYS if k in value), {})
    if isinstance(raw_args, str):
        raw_args = _load_json_like(raw_args)
    if isinstance(raw_args, dict):
        yield TextToolCall(name=name, args=raw_args)


def _python_calls(text: str) -> list[TextToolCall]:
    """Calls written as Python (``f(a=1)``, ``[f(a=1), g(b=2)]``), keyword arguments only."""
    for candidate in (text.strip(), *text.splitlines()):
        try:
            tree = ast.parse(candidate.strip(), mode="eval")
        except SyntaxError:
            continue
        calls = [c for node in _call_nodes(tree.body) if (c := _python_call(node)) is not None]
        if calls:
            return calls
    return []


def _call_nodes(node: ast.expr) -> list[ast.Call]:
    if isinstance(node, ast.Call):
        return [node]
    if isinstance(node, ast.List | ast.Tuple):
        return [item for item in node.elts if isinstance(item, ast.Call)]
    return []


def _python_call(node: ast.Call) -> TextToolCall | None:
    name = _dotted_name(node.func)
    if name is None or node.args:
        return None
    args: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            return None
        try:
            args[keyword.arg] = ast.literal_eval(keyword.value)
        except (ValueError, SyntaxError, TypeError):
            return None
    return TextToolCall(name=name, args=args)


def _dotted_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted_name(node.value)
        return None if owner is None else f"{owner}.{node.attr}"
    return None
