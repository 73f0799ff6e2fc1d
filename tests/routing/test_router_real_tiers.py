"""The router with real tiers: SmolLM2 in-process (SLM) and behind the OpenAI-compatible server."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.tools import tool
from pydantic import BaseModel
from routing_fakes import Recorder

from hetero_agents.logs import CallLogger, LogStore
from hetero_agents.routing import CascadePolicy, ChatRouter, RulePolicy, slm_tool

pytestmark = [pytest.mark.model, pytest.mark.server, pytest.mark.slow]


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"It is sunny in {city}."


class Person(BaseModel):
    """A person mentioned in a text."""

    name: str
    age: int


def merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    return total


def no_weather_calls(message: AIMessage, context: Any) -> str | None:
    return "forced escalation for the test" if message.tool_calls else None


def test_a_valid_grammar_constrained_slm_call_is_served_by_the_slm(
    smollm2_chat: Any, server_chat: Any
) -> None:
    router = ChatRouter(llm=server_chat, slms={"smollm2": smollm2_chat})
    bound = router.bind_tools([get_weather], tool_choice="get_weather")
    answer = bound.invoke("What is the weather in Paris?")
    meta = answer.response_metadata["hetero"]
    assert (meta["tier"], meta["escalated"]) == ("slm", False)
    assert answer.tool_calls[0]["name"] == "get_weather"
    assert isinstance(answer.tool_calls[0]["args"]["city"], str)
    assert answer.response_metadata["model_name"] == "smollm2-135m"


def test_a_rejected_slm_answer_is_escalated_to_the_server_and_never_streamed(
    smollm2_chat: Any, server_chat: Any
) -> None:
    router = ChatRouter(
        llm=server_chat,
        slms={"smollm2": smollm2_chat},
        policy=CascadePolicy(validators=[no_weather_calls]),
    )
    recorder = Recorder()
    bound = router.bind_tools([get_weather], tool_choice="get_weather")
    answer = merge(list(bound.stream("Weather in Oslo?", {"callbacks": [recorder]})))
    meta = answer.response_metadata["hetero"]
    assert (meta["tier"], meta["escalation_reason"]) == (
        "llm",
        "user:no_weather_calls: forced escalation for the test",
    )
    assert answer.response_metadata["model_name"] == "smollm2"  # the server's alias
    assert len(recorder.starts) == 1  # one run for the whole escalated call


def test_context_window_exceeded_on_the_slm_escalates_to_the_bigger_context(
    smollm2_path: Path, server_chat: Any
) -> None:
    from hetero_agents.chat_models import ChatLlamaCpp

    small = ChatLlamaCpp(model_path=str(smollm2_path), n_ctx=128, n_threads=1, max_tokens=16)
    router = ChatRouter(
        llm=server_chat, slms={"small-ctx": small}, policy=RulePolicy(default="slm")
    )
    long_prompt = "Summarise this in one word: " + "the quick brown fox jumps. " * 60
    answer = router.invoke(long_prompt)
    meta = answer.response_metadata["hetero"]
    assert meta["tier"] == "llm"
    assert meta["escalation_reason"].startswith("context_window_exceeded: ")


@pytest.mark.asyncio(loop_scope="module")  # langchain-openai's cached async client: one loop
async def test_async_structured_output_from_the_slm(smollm2_chat: Any, server_chat: Any) -> None:
    router = ChatRouter(llm=server_chat, slms={"smollm2": smollm2_chat})
    structured = router.with_structured_output(Person, include_raw=True)
    result = await structured.ainvoke("Ann is 31 years old. Who is mentioned?")
    assert isinstance(result["parsed"], Person)
    assert result["raw"].response_metadata["hetero"]["tier"] == "slm"


def test_create_react_agent_with_real_tiers_and_the_logger(
    smollm2_chat: Any, server_chat: Any, tmp_path: Path
) -> None:
    from langgraph.prebuilt import create_react_agent

    router = ChatRouter(llm=server_chat, slms={"smollm2": smollm2_chat})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        agent = create_react_agent(router, [get_weather])
    db = tmp_path / "logs.db"
    with CallLogger(db) as logger:
        result = agent.invoke(
            {"messages": [("user", "What is the weather in Rome?")]}, {"callbacks": [logger]}
        )
        assert logger.flush(timeout=30)
    answers = [m for m in result["messages"] if isinstance(m, AIMessage)]
    store = LogStore(db)
    rows = list(store.calls())
    store.close()
    assert len(rows) == len(answers)  # one row per model call, whichever tier served it
    for row, message in zip(rows, answers, strict=True):
        meta = message.response_metadata["hetero"]
        assert (row.tier, row.model) == (meta["tier"], meta["model"])
        assert row.route is not None
        assert row.route["policy"] == "cascade"
        assert row.node == "agent"


def test_slm_tool_returns_grammar_constrained_structured_data(smollm2_chat: Any) -> None:
    extract = slm_tool(
        smollm2_chat,
        name="extract_person",
        description="Extract the person mentioned in a text.",
        output_schema=Person,
    )
    value = extract.invoke({"input": "Bob is 42 years old."})
    assert set(value) == {"name", "age"}
    assert isinstance(value["age"], int)
