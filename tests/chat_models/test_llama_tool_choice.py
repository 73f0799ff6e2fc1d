"""tool_choice normalisation: every accepted spelling, and clear errors for the rest."""

from __future__ import annotations

import pytest

from hetero_agents.chat_models._tool_choice import (
    ToolMode,
    normalize_tool_choice,
    tool_choice_payload,
)

NAMES = ["get_weather", "magic_function"]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, ToolMode("auto")),
        ("auto", ToolMode("auto")),
        ("any", ToolMode("required")),
        ("required", ToolMode("required")),
        ("none", ToolMode("none")),
        ("magic_function", ToolMode("named", "magic_function")),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            ToolMode("named", "get_weather"),
        ),
    ],
)
def test_accepted_spellings(choice: object, expected: ToolMode) -> None:
    assert normalize_tool_choice(choice, NAMES) == expected


@pytest.mark.parametrize("choice", ["sometimes", 3, True, {"type": "tool", "name": "x"}, {}])
def test_unknown_choice_lists_the_allowed_values(choice: object) -> None:
    with pytest.raises(ValueError, match="tool_choice") as info:
        normalize_tool_choice(choice, NAMES)
    message = str(info.value)
    for allowed in ("'auto'", "'any'", "'required'", "'none'", "'get_weather'", "'magic_function'"):
        assert allowed in message


def test_a_name_that_is_not_bound_is_rejected() -> None:
    with pytest.raises(ValueError, match="'search', which is not a bound tool"):
        normalize_tool_choice({"type": "function", "function": {"name": "search"}}, NAMES)


def test_allowed_tools_per_mode() -> None:
    assert ToolMode("auto").allowed_tools(NAMES) == tuple(NAMES)
    assert ToolMode("required").allowed_tools(NAMES) == tuple(NAMES)
    assert ToolMode("none").allowed_tools(NAMES) == ()
    assert ToolMode("named", "get_weather").allowed_tools(NAMES) == ("get_weather",)
    assert ToolMode("required").forces_call
    assert ToolMode("named", "x").forces_call
    assert not ToolMode("auto").forces_call


@pytest.mark.parametrize(
    "mode", [ToolMode("auto"), ToolMode("required"), ToolMode("none"), ToolMode("named", "x")]
)
def test_payload_round_trips(mode: ToolMode) -> None:
    assert normalize_tool_choice(tool_choice_payload(mode), ["x"]) == mode
