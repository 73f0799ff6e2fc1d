"""Scripted chat models and record builders for the select / scoring / few-shot / export tests.

A fake's answer is a plain function of the messages and call kwargs (pydantic-ai
``FunctionModel`` style); the fake records every call so tests can assert what
the replay sent (shots, tools, tool_choice, response_format).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, messages_to_dict
from langchain_core.output_parsers import JsonOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from hetero_agents._structured_output import with_parser
from hetero_agents.pipeline.records import Cluster, Clustering, Example

Reply = Callable[[list[BaseMessage], dict[str, Any]], AIMessage]

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer", "default": 1},
            },
            "required": ["city"],
        },
    },
}


def call(name: str, args: dict[str, Any], call_id: str | None = "call_x") -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


class FakeChat(BaseChatModel):
    """Answers ``reply(messages, kwargs)``; binds tools and JSON output like OpenAI does."""

    reply: Reply
    calls: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "fake-chat"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append({"messages": list(messages), "kwargs": dict(kwargs)})
        return ChatResult(generations=[ChatGeneration(message=self.reply(messages, kwargs))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self.calls.append({"messages": list(messages), "kwargs": dict(kwargs)})
        text = self.reply(messages, kwargs).text
        for word in text.split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[Any, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: Any = None,
        *,
        method: str = "json_schema",
        include_raw: bool = False,
        **kwargs: Any,
    ) -> Runnable[Any, Any]:
        fmt = {"type": "json_schema", "json_schema": {"name": "out", "schema": schema}}
        if method == "json_mode":
            fmt = {"type": "json_object"}
        return with_parser(
            self.bind(response_format=fmt), JsonOutputParser(), include_raw=include_raw
        )


def scripted(reply: Reply) -> FakeChat:
    return FakeChat(reply=reply)


def always(message: AIMessage) -> FakeChat:
    return FakeChat(reply=lambda messages, kwargs: message)


def example(
    call_id: str,
    question: str,
    answer: AIMessage,
    *,
    split: str = "eval",
    tools: list[dict[str, Any]] | None = None,
    system: str | None = "You are a helpful weather agent.",
) -> Example:
    from langchain_core.messages import HumanMessage, SystemMessage

    request: list[BaseMessage] = [SystemMessage(system)] if system else []
    request.append(HumanMessage(question))
    return Example(
        call_id=call_id,
        text=question,
        messages=messages_to_dict(request),
        tools=tools,
        response=messages_to_dict([answer])[0],
        split=split,  # type: ignore[arg-type]
        group="weather",
    )


def weather_example(call_id: str, city: str, *, split: str = "eval") -> Example:
    return example(
        call_id,
        f"What's the weather in {city}?",
        call("get_weather", {"city": city}),
        split=split,
        tools=[WEATHER],
    )


def clustering(members: dict[int, Sequence[Example]], distances: dict[str, float] | None = None):
    clusters = [
        Cluster(
            id=cid,
            label=f"cluster {cid}",
            centroid=np.ones(4, dtype=np.float32) / 2,
            threshold=0.5,
            size=len(items),
            call_ids=tuple(e.call_id for e in items),
        )
        for cid, items in members.items()
    ]
    assignments = {e.call_id: cid for cid, items in members.items() for e in items}
    return Clustering(
        clusters=clusters,
        assignments=assignments,
        distances=distances or dict.fromkeys(assignments, 0.1),
        embedder="hashing-64",
        dim=4,
        text_version="1",
    )


def city_of(messages: Sequence[BaseMessage]) -> str:
    """The city the *live* question (the last user turn) asks about."""
    last = [m for m in messages if m.type == "human"][-1].text
    return last.removeprefix("What's the weather in ").rstrip("?")


def right_weather(messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
    return call("get_weather", {"city": city_of(messages)})


def json_text(value: Any) -> AIMessage:
    return AIMessage(content=json.dumps(value))
