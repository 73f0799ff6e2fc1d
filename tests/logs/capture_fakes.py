"""Scripted chat models for the capture tests (pydantic-ai's FunctionModel idea).

A test states how the model answers as a plain function of the messages, so
what the logger must record is known exactly, in any order and from any thread.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolCallChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, PrivateAttr

Respond = Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    """Answers with ``respond(messages)``; streams content word by word; supports tools."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    respond: Respond
    model_name: str = "scripted-model"
    provider: str = "scripted"
    fail_with: type[Exception] | None = None
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _n: int = PrivateAttr(default=0)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def n_calls(self) -> int:
        """How many times the model actually ran (the ground truth for row counts)."""
        return self._n

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> Any:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = self.provider
        params["ls_model_name"] = self.model_name
        return params

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, **kwargs)

    def _answer(self, messages: list[BaseMessage]) -> AIMessage:
        with self._lock:
            self._n += 1
        if self.fail_with is not None:
            raise self.fail_with("scripted failure for alice@example.com")
        answer = self.respond(messages)
        metadata = {
            "model_name": self.model_name,
            "finish_reason": "stop",
            **answer.response_metadata,
        }
        return answer.model_copy(update={"response_metadata": metadata})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._answer(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        answer = self._answer(messages)
        text = answer.content if isinstance(answer.content, str) else ""
        for token in (t for t in re.split(r"(\s)", text) if t):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
            if run_manager is not None:
                run_manager.on_llm_new_token(token, chunk=chunk)
            yield chunk
        tool_chunks = [
            ToolCallChunk(name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=i)
            for i, call in enumerate(answer.tool_calls)
        ]
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                tool_call_chunks=tool_chunks,
                usage_metadata=answer.usage_metadata,
                response_metadata=answer.response_metadata,
                chunk_position="last",
            )
        )


def usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    """A ``usage_metadata`` dict."""
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }


class CountingRedactor:
    """The default redactor, noting every text it scans and every scope it opens."""

    def __init__(self) -> None:
        self.scans: list[str] = []
        self.scopes = 0

    def scope(self) -> _CountingScope:
        from hetero_agents.redaction import DefaultRedactor

        self.scopes += 1
        return _CountingScope(DefaultRedactor().scope(), self.scans)


class _CountingScope:
    def __init__(self, inner: Any, scans: list[str]) -> None:
        self.inner, self.scans = inner, scans

    def redact(self, text: str) -> str:
        self.scans.append(text)
        result: str = self.inner.redact(text)
        return result
