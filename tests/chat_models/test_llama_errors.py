"""Bad input at call time: typed errors before any token is generated."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from hetero_agents.chat_models import ChatLlamaCpp
from hetero_agents.chat_models._client_state import client_state
from hetero_agents.errors import ContextWindowExceeded

pytestmark = pytest.mark.model

LONG = "Tell me about the history of the world. " * 300  # about 2,700 tokens


def test_prompt_longer_than_the_context_raises_context_window_exceeded(
    smollm2: ChatLlamaCpp,
) -> None:
    with pytest.raises(ContextWindowExceeded) as info:
        smollm2.invoke(LONG)
    error = info.value
    assert error.n_ctx == 2048
    assert error.n_prompt_tokens > 2048
    assert error.model == "smollm2-135m"
    assert "route this call to a larger model" in str(error)
    assert isinstance(error, ValueError)  # callers that catch ValueError still do


def test_context_window_exceeded_in_stream_and_async(smollm2: ChatLlamaCpp) -> None:
    with pytest.raises(ContextWindowExceeded):
        list(smollm2.stream(LONG))

    import asyncio

    with pytest.raises(ContextWindowExceeded):
        asyncio.run(smollm2.ainvoke(LONG))
    assert not client_state(smollm2.llama).lock.locked()
    assert smollm2.invoke("Hi", max_tokens=3).content


def test_image_content_is_refused_before_generation(smollm2: ChatLlamaCpp) -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    with pytest.raises(ValueError, match="text-only"):
        smollm2.invoke([HumanMessage([{"type": "text", "text": "what is this?"}, image])])


def test_unknown_tool_choice_passed_per_call(smollm2: ChatLlamaCpp) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    with pytest.raises(ValueError, match="'auto', 'any', 'required', 'none'"):
        smollm2.invoke("hi", tools=tools, tool_choice="always")


def test_tools_and_response_format_together_are_refused(smollm2: ChatLlamaCpp) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    with pytest.raises(ValueError, match="not both"):
        smollm2.invoke("hi", tools=tools, response_format={"type": "json_object"})
