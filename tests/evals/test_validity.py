"""Schema validity of calls, checked with jsonschema independently of any grammar."""

from __future__ import annotations

import pytest

from hetero_agents.evals import ToolCallValidator

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "book",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "nights": {"type": "integer", "minimum": 1},
                },
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    },
    {"type": "function", "function": {"name": "ping"}},
]


def test_valid_calls() -> None:
    validator = ToolCallValidator(TOOLS)
    assert validator.problem({"name": "book", "args": {"city": "Rome", "nights": 2}}) is None
    assert validator.problem({"name": "ping", "args": {}}) is None
    assert validator.all_valid(
        [{"name": "ping", "args": {}}, {"name": "book", "args": {"city": "x"}}]
    )


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        ({"name": "cancel", "args": {}}, "not one of the offered tools"),
        ({"name": "book", "args": "Rome"}, "not an object"),
        ({"name": "book", "args": {}}, "'city' is a required property"),
        ({"name": "book", "args": {"city": "Rome", "nights": 0}}, "nights"),
        ({"name": "book", "args": {"city": "Rome", "nights": "2"}}, "nights"),
        ({"name": "book", "args": {"city": "Rome", "pets": True}}, "pets"),
    ],
)
def test_invalid_calls_say_why(call: dict[str, object], needle: str) -> None:
    problem = ToolCallValidator(TOOLS).problem(call)
    assert problem is not None
    assert needle in problem


def test_no_calls_is_not_valid() -> None:
    assert not ToolCallValidator(TOOLS).all_valid([])
    assert not ToolCallValidator(TOOLS).all_valid(
        [{"name": "ping", "args": {}}, {"name": "x", "args": {}}]
    )
