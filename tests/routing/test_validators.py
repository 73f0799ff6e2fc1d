"""The checks an SLM answer must pass before the cascade serves it."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel

from hetero_agents.routing.context import RouteContext, normalize_tool_choice
from hetero_agents.routing.validators import (
    MinMeanLogprob,
    as_validator,
    first_failure,
    mean_logprob,
    non_empty,
    not_truncated,
    structured_output_valid,
    tool_calls_valid,
)


class Address(BaseModel):
    street: str
    number: int


class Move(BaseModel):
    """Move a person to an address."""

    person: str
    to: Address


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


TOOLS = [convert_to_openai_tool(add), convert_to_openai_tool(Move)]


def ctx(choice: Any = None, tools: Any = TOOLS, **kwargs: Any) -> RouteContext:
    mode, forced = normalize_tool_choice(choice)
    return RouteContext(tools=tools, tool_choice=mode, forced_tool=forced, **kwargs)


def calls(*pairs: tuple[str, dict[str, Any]]) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[{"name": n, "args": a, "id": f"c{i}"} for i, (n, a) in enumerate(pairs)],
    )


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, ("auto", None)),
        ("auto", ("auto", None)),
        ("any", ("required", None)),
        ("required", ("required", None)),
        (True, ("required", None)),
        ("none", ("none", None)),
        (False, ("none", None)),
        ("add", ("required", "add")),
        ({"type": "function", "function": {"name": "add"}}, ("required", "add")),
        ({"type": "tool", "name": "add"}, ("required", "add")),
        ({"type": "any"}, ("required", None)),
    ],
)
def test_tool_choice_spellings_normalise(choice: Any, expected: tuple[str, Any]) -> None:
    assert normalize_tool_choice(choice) == expected


def test_valid_calls_pass() -> None:
    message = calls(
        ("add", {"a": 1, "b": 2}), ("Move", {"person": "x", "to": {"street": "s", "number": 4}})
    )
    assert tool_calls_valid(message, ctx("any")) is None


@pytest.mark.parametrize(
    ("message", "choice", "code"),
    [
        (
            calls(("sub", {"a": 1})),
            None,
            "unknown_tool: 'sub' is not a bound tool (bound: Move, add)",
        ),
        (
            calls(("add", {"a": "1", "b": 2})),
            None,
            "bad_arguments: add: a: '1' is not of type 'integer'",
        ),
        (calls(("add", {"a": 1, "b": 2, "c": 3})), None, None),
        (
            calls(("Move", {"person": "x", "to": {"street": "s", "number": "four"}})),
            None,
            "bad_arguments: Move: to/number: 'four' is not of type 'integer'",
        ),
        (AIMessage(content="prose"), "any", "missing_tool_call: the call required a tool"),
        (AIMessage(content="prose"), "add", "missing_tool_call: the call required 'add'"),
        (AIMessage(content="prose"), None, None),
        (
            calls(("Move", {"person": "x", "to": {"street": "s", "number": 1}})),
            "add",
            "wrong_tool:",
        ),
        (calls(("add", {"a": 1, "b": 2})), "none", "unexpected_tool_call: 'add'"),
    ],
)
def test_tool_call_failures_are_named(message: AIMessage, choice: Any, code: str | None) -> None:
    problem = tool_calls_valid(message, ctx(choice))
    if code is None:
        assert problem is None
    else:
        assert problem is not None
        assert problem.startswith(code), problem


def test_a_tool_call_without_bound_tools_fails() -> None:
    problem = tool_calls_valid(calls(("add", {"a": 1, "b": 2})), ctx(tools=None))
    assert problem == "unexpected_tool_call: 'add' but no tool may be called"


def test_unparsed_tool_calls_fail() -> None:
    message = AIMessage(
        content="",
        invalid_tool_calls=[
            {
                "name": "add",
                "args": "{a:",
                "id": "1",
                "error": "bad json",
                "type": "invalid_tool_call",
            }
        ],
    )
    assert tool_calls_valid(message, ctx()) == "unparsed_tool_call: 'add': bad json"


def test_schemas_are_compiled_once_per_tool_list() -> None:
    from hetero_agents.routing import validators

    tools = [convert_to_openai_tool(add)]
    tool_calls_valid(calls(("add", {"a": 1, "b": 2})), ctx(tools=tools))
    index = validators._tool_index(tools)
    tool_calls_valid(calls(("add", {"a": 1, "b": 2})), ctx(tools=tools))
    assert validators._tool_index(tools) is index
    assert validators._tool_index(list(tools)) is not index


def test_non_empty() -> None:
    assert (
        non_empty(AIMessage(content="  "), ctx())
        == "empty: the answer has no text and no tool call"
    )
    assert non_empty(AIMessage(content=" x "), ctx()) is None
    assert non_empty(calls(("add", {})), ctx()) is None


def test_structured_output_json_is_validated_against_the_schema() -> None:
    schema = Address.model_json_schema()
    context = RouteContext(response_schema=schema)
    assert (
        structured_output_valid(AIMessage(content='{"street": "a", "number": 1}'), context) is None
    )
    bad = structured_output_valid(AIMessage(content='{"street": "a"}'), context)
    assert bad == "invalid_structured_output: <root>: 'number' is a required property"
    assert structured_output_valid(AIMessage(content="street a"), context).startswith(
        "invalid_structured_output: not JSON"
    )
    assert structured_output_valid(AIMessage(content="not json"), RouteContext()) is None


def test_mean_logprob_reads_our_metadata_and_openai_logprobs() -> None:
    assert mean_logprob(AIMessage(content="", response_metadata={"mean_logprob": -0.5})) == -0.5
    openai = {
        "logprobs": {"content": [{"token": "a", "logprob": -1.0}, {"token": "b", "logprob": -3.0}]}
    }
    assert mean_logprob(AIMessage(content="", response_metadata=openai)) == -2.0
    assert mean_logprob(AIMessage(content="")) is None


def test_min_mean_logprob() -> None:
    check = MinMeanLogprob(-1.0)
    assert check(AIMessage(content="", response_metadata={"mean_logprob": -0.9}), ctx()) is None
    assert check(AIMessage(content="", response_metadata={"mean_logprob": -1.1}), ctx()) == (
        "low_confidence: mean logprob -1.100 < -1.000"
    )
    assert check(AIMessage(content=""), ctx()) == "no_confidence: the SLM reported no logprob"
    assert MinMeanLogprob(-1.0, missing_ok=True)(AIMessage(content=""), ctx()) is None


def test_user_checks_may_return_bool_str_or_none_and_may_not_crash_the_call() -> None:
    def says_no(message: AIMessage, context: RouteContext) -> bool:
        return False

    def explains(message: AIMessage, context: RouteContext) -> str:
        return "too short"

    def crashes(message: AIMessage, context: RouteContext) -> None:
        raise KeyError("x")

    message = AIMessage(content="hi")
    assert as_validator(lambda m, c: True)(message, ctx()) is None
    assert as_validator(lambda m, c: None)(message, ctx()) is None
    assert as_validator(says_no)(message, ctx()) == "user:says_no: rejected the answer"
    assert as_validator(explains)(message, ctx()) == "user:explains: too short"
    assert as_validator(crashes)(message, ctx()) == "user:crashes: raised KeyError: 'x'"


def test_first_failure_stops_at_the_first() -> None:
    seen: list[str] = []

    def a(m: AIMessage, c: RouteContext) -> str:
        seen.append("a")
        return "a failed"

    def b(m: AIMessage, c: RouteContext) -> None:
        seen.append("b")

    assert first_failure([a, b], AIMessage(content="x"), ctx()) == "a failed"
    assert seen == ["a"]


def test_not_truncated() -> None:
    cut = AIMessage(content="and then", response_metadata={"finish_reason": "length"})
    assert not_truncated(cut, ctx()) == "truncated: the answer stopped at max_tokens"
    done = AIMessage(content="done.", response_metadata={"finish_reason": "stop"})
    assert not_truncated(done, ctx()) is None


def test_an_empty_tool_list_sends_no_tool_kwargs_to_tiers() -> None:
    from hetero_agents.routing._tiers import TierSet

    tiers = TierSet({})
    assert tiers.call_kwargs("x", {"tools": [], "tool_choice": "auto", "temperature": 0}) == {
        "temperature": 0
    }
