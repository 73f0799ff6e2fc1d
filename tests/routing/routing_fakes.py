"""Scripted chat models for the router's unit tests (pydantic-ai ``FunctionModel`` style).

A test writes what the model answers as a plain function of the messages and the
call kwargs; the fake records every call so the test can assert which tier ran
and with which tools.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.output_parsers import JsonOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

Reply = Callable[[list[BaseMessage], dict[str, Any]], AIMessage]


def text(content: str, **metadata: Any) -> Reply:
    return lambda messages, kwargs: AIMessage(content=content, response_metadata=dict(metadata))


def call(name: str, args: dict[str, Any], **metadata: Any) -> Reply:
    def reply(messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        return AIMessage(
            content="",
            tool_calls=[{"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:8]}"}],
            response_metadata=dict(metadata),
        )

    return reply


def raises(exc: Exception) -> Reply:
    def reply(messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        raise exc

    return reply


class ScriptedChatModel(BaseChatModel):
    """A chat model whose answer is ``reply(messages, kwargs)``; records every call."""

    reply: Reply
    model_name: str = "scripted"
    stream_words: bool = True
    calls: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> Runnable[Any, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self, schema: Any, *, method: str = "function_calling", **kwargs: Any
    ) -> Runnable[Any, Any]:
        """Like OpenAI's: json_schema binds ``response_format``; the rest is tool calling."""
        if method == "json_schema":
            response_format = {"type": "json_schema", "json_schema": {"schema": schema}}
            return self.bind(response_format=response_format) | JsonOutputParser()
        return super().with_structured_output(schema, **kwargs)

    def _answer(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        self.calls.append({"messages": list(messages), "kwargs": dict(kwargs)})
        message = self.reply(messages, kwargs)
        message.response_metadata = {"model_name": self.model_name, **message.response_metadata}
        return message

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._answer(messages, kwargs))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._answer(messages, kwargs)
        words = message.text.split(" ") if message.text else []
        for i, word in enumerate(words):
            yield ChatGenerationChunk(
                message=AIMessageChunk(content=word if i == 0 else " " + word)
            )
        calls = [
            tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
            for i, c in enumerate(message.tool_calls)
        ]
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                tool_call_chunks=calls,
                response_metadata=message.response_metadata,
            )
        )


def scripted(reply: Reply, name: str = "scripted") -> ScriptedChatModel:
    return ScriptedChatModel(reply=reply, model_name=name)


class NoToolsChatModel(BaseChatModel):
    """A chat model without tool calling (its ``bind_tools`` is the base class's)."""

    answer: str = "plain"

    @property
    def _llm_type(self) -> str:
        return "no-tools"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.answer))])


class Recorder(BaseCallbackHandler):
    """Records what callback handlers see: chat-model runs, tokens, ends, custom events."""

    def __init__(self) -> None:
        self.starts: list[dict[str, Any]] = []
        self.tokens: list[str] = []
        self.ends: list[Any] = []
        self.errors: list[BaseException] = []
        self.events: list[dict[str, Any]] = []

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.starts.append(
            {"run_id": run_id, "parent": parent_run_id, "tags": tags, "metadata": metadata or {}}
        )

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.ends.append(response)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.errors.append(error)

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.events.append({"name": name, "data": data, "run_id": run_id})

    def hetero(self) -> list[dict[str, Any]]:
        """The ``hetero`` metadata of every finished chat-model run."""
        return [end.generations[0][0].message.response_metadata.get("hetero") for end in self.ends]
