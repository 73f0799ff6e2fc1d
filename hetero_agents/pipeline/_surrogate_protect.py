"""Values the surrogates must never change: what the bound tool schemas name or constrain.

A tool call must still validate after surrogates are applied, so every tool
name, parameter name, enum / const / default / example value and every number
a schema mentions is protected, and so is an argument whose parameter carries
a constraint (``enum``, ``minimum``/``maximum``, ``pattern``, ``format`` …):
a surrogate could break it. The same values stay unchanged in the messages
too, so the prompt and the call keep matching.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

NUMBER = re.compile(r"(?<![A-Za-z0-9_.<])\d+(?:[.,]\d+)*(?![\d_>])")
"""A number as surrogates see it: digits with ``.``/``,`` separators, not inside a word."""

_CONSTRAINTS = frozenset(
    {"enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
    | {"multipleOf", "pattern", "format"}
)
_SCHEMA_VALUES = ("enum", "const", "default", "examples")


def protected_values(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]]
) -> tuple[set[str], set[str]]:
    """The protected words (case-folded) and number tokens of one example.

    Args:
        messages: The example's messages and answers (their tool calls are read).
        tools: The bound tools.
    """
    found = _Protected()
    properties: dict[str, Mapping[str, Any]] = {}
    for tool in tools:
        function = tool.get("function", tool)
        if not isinstance(function, Mapping):
            continue
        found.add(function.get("name"))
        parameters = function.get("parameters")
        found.schema(parameters)
        props = parameters.get("properties") if isinstance(parameters, Mapping) else None
        if isinstance(props, Mapping):
            properties[str(function.get("name"))] = props
    for message in messages:
        for call in (message.get("data") or {}).get("tool_calls") or ():
            props = properties.get(str(call.get("name")), {})
            args = call.get("args")
            for name, value in args.items() if isinstance(args, Mapping) else ():
                schema = props.get(name)
                if isinstance(schema, Mapping) and _CONSTRAINTS & schema.keys():
                    found.add(value)
    return found.words, found.numbers


class _Protected:
    __slots__ = ("numbers", "words")

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.numbers: set[str] = set()

    def schema(self, schema: Any) -> None:
        if isinstance(schema, Mapping):
            for name, item in schema.items():
                if name == "properties" and isinstance(item, Mapping):
                    for prop in item:
                        self.add(prop)
                if name in _SCHEMA_VALUES:
                    self.add(item)
                self.schema(item)
        elif isinstance(schema, list):
            for item in schema:
                self.schema(item)
        elif isinstance(schema, int | float) and not isinstance(schema, bool):
            self.add(schema)

    def add(self, value: Any) -> None:
        if isinstance(value, str):
            self.words.add(value.casefold())
            self.words.update(part.casefold() for part in value.split())
            self.numbers.update(NUMBER.findall(value))
        elif isinstance(value, bool) or value is None:
            return
        elif isinstance(value, int):
            self.numbers.add(str(abs(value)))
        elif isinstance(value, float):
            self.numbers.add(repr(abs(value)))
        elif isinstance(value, list | tuple):
            for item in value:
                self.add(item)


__all__ = ["NUMBER", "protected_values"]
