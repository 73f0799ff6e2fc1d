"""Reading tool calls from free text, as generously as the unconstrained baseline deserves."""

from __future__ import annotations

import json

import pytest

from hetero_agents.evals import parse_tool_calls, tool_system_prompt

F = {"name": "math.hypot", "args": {"x": 4, "y": 5}}


@pytest.mark.parametrize(
    "text",
    [
        '<tool_call>\n{"name": "math.hypot", "arguments": {"x": 4, "y": 5}}\n</tool_call>',
        # cut off before </tool_call>:
        '<tool_call>{"name": "math.hypot", "arguments": {"x": 4, "y": 5}}',
        '<tool_call>{"name": "math.hypot", "arguments": "{\\"x\\": 4, \\"y\\": 5}"}</tool_call>',
        "<tool_call>{'name': 'math.hypot', 'arguments': {'x': 4, 'y': 5}}</tool_call>",
        'Sure!\n```json\n{"name": "math.hypot", "parameters": {"x": 4, "y": 5}}\n```',
        'I will call {"name": "math.hypot", "args": {"x": 4, "y": 5}} now.',
        '{"type": "function", "function": {"name": "math.hypot", "arguments": {"x": 4, "y": 5}}}',
        "math.hypot(x=4, y=5)",
        "The answer:\n[math.hypot(x=4, y=5)]",
    ],
)
def test_one_call_in_many_forms(text: str) -> None:
    assert parse_tool_calls(text) == [F]


def test_several_calls() -> None:
    text = (
        '<tool_call>{"name": "a", "arguments": {}}</tool_call>\n'
        '<tool_call>{"name": "b", "arguments": {"k": [1, 2]}}</tool_call>'
    )
    assert parse_tool_calls(text) == [
        {"name": "a", "args": {}},
        {"name": "b", "args": {"k": [1, 2]}},
    ]
    assert parse_tool_calls('[{"name": "a", "arguments": {}}, {"name": "b", "arguments": {}}]') == [
        {"name": "a", "args": {}},
        {"name": "b", "args": {}},
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The hypotenuse is 6.4.",
        '{"x": 4, "y": 5}',  # JSON without a function name
        '<tool_call>{"name": "math.hypot", "arguments": [4, 5]}</tool_call>',  # args not an object
        "math.hypot(4, 5)",  # positional arguments cannot be named without guessing
        "print(x=open('f'))",  # not literal values
    ],
)
def test_no_call_is_read_where_there_is_none(text: str) -> None:
    assert parse_tool_calls(text) == []


def test_system_prompt_lists_each_function_and_the_format() -> None:
    tools = [
        {"type": "function", "function": {"name": "a", "description": "first", "parameters": {}}},
        {"type": "function", "function": {"name": "b", "description": "second", "parameters": {}}},
    ]
    prompt = tool_system_prompt(tools)
    for tool in tools:
        assert json.dumps(tool["function"]) in prompt
    assert "<tool_call>" in prompt
