"""Calling one tier of the router inside the router's own LangChain run.

The router calls a tier's ``_generate`` / ``_stream`` (and async forms) directly
instead of its public ``invoke``: the public methods would open a second
chat-model run, so every callback handler (and ``CallLogger``) would see two
calls for one, and tokens of an SLM answer that the cascade later rejects would
reach streaming handlers. Calling the tier's implementation keeps exactly one
run, the router's, whose tokens are only what the router yields.

Tools and structured output are bound on the router once; each tier then gets
the kwargs *its own* ``bind_tools`` / ``with_structured_output`` produce (a
llama.cpp grammar for ``ChatLlamaCpp``, the OpenAI ``tools`` payload for
``ChatOpenAI``), computed once per bound tool list and cached.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import invalid_tool_call, tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableBinding, RunnableSequence

from hetero_agents.errors import RoutingError

# router kwargs that describe tools; the rest are passed to every tier unchanged
_TOOL_KEYS = ("tools", "tool_choice", "parallel_tool_calls", "strict")
_FORMAT_KEY = "response_format"
_CACHE_SIZE = 256


class TierUnsupportedError(RoutingError):
    """A tier cannot serve this call as bound (e.g. it has no tool calling)."""


def _binding_kwargs(runnable: Runnable[Any, Any], model: BaseChatModel) -> dict[str, Any] | None:
    """The kwargs a ``bind_tools`` / ``with_structured_output`` result binds on ``model``."""
    if isinstance(runnable, RunnableBinding):
        if runnable.bound is model:
            return dict(runnable.kwargs)
        inner = _binding_kwargs(runnable.bound, model)
        return None if inner is None else {**inner, **runnable.kwargs}
    if isinstance(runnable, RunnableSequence):
        return _binding_kwargs(runnable.first, model)
    return None


def _without_tracing_keys(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if not k.startswith("ls_")}


def _tool_kwargs(model: BaseChatModel, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    extra = {k: kwargs[k] for k in ("parallel_tool_calls", "strict") if k in kwargs}
    try:
        bound = model.bind_tools(kwargs["tools"], tool_choice=kwargs.get("tool_choice"), **extra)
    except NotImplementedError as exc:
        raise TierUnsupportedError(f"{type(model).__name__} has no tool calling") from exc
    found = _binding_kwargs(bound, model)
    if found is None:
        raise TierUnsupportedError(
            f"{type(model).__name__}.bind_tools returned {type(bound).__name__}, not a binding "
            "of the model; the router cannot forward its tools"
        )
    return _without_tracing_keys(found)


def _format_kwargs(model: BaseChatModel, response_format: Mapping[str, Any]) -> dict[str, Any]:
    spec = response_format.get("json_schema")
    try:
        if isinstance(spec, Mapping) and isinstance(spec.get("schema"), Mapping):
            schema = {"title": spec.get("name", "output"), **spec["schema"]}
            structured = model.with_structured_output(schema, method="json_schema")
        else:
            structured = model.with_structured_output({}, method="json_mode")
    except (NotImplementedError, TypeError, ValueError) as exc:
        raise TierUnsupportedError(
            f"{type(model).__name__} does not support JSON structured output ({exc}); "
            "use with_structured_output(method='function_calling')"
        ) from exc
    found = _binding_kwargs(structured, model)
    if found is None:
        raise TierUnsupportedError(
            f"{type(model).__name__}.with_structured_output does not bind kwargs on the model; "
            "use with_structured_output(method='function_calling')"
        )
    return _without_tracing_keys(found)


class TierSet:
    """The router's models by name, and each one's call kwargs per bound tool list."""

    def __init__(self, models: Mapping[str, BaseChatModel]) -> None:
        self.models = dict(models)
        self._cache: dict[tuple[Any, ...], tuple[object, object, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def call_kwargs(self, name: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The kwargs to call tier ``name`` with, for a call the router got with ``kwargs``.

        Raises:
            TierUnsupportedError: The tier cannot bind these tools or this format.
        """
        tools = kwargs.get("tools")
        response_format = kwargs.get(_FORMAT_KEY)
        if not tools and response_format is None:
            if "tool_choice" in kwargs or "tools" in kwargs:  # bound to an empty tool list
                return {k: v for k, v in kwargs.items() if k not in _TOOL_KEYS}
            return dict(kwargs)
        key = (
            name,
            id(tools),
            id(response_format),
            *(repr(kwargs.get(k)) for k in _TOOL_KEYS[1:]),
        )
        cached = self._cache.get(key)
        if cached is not None and cached[0] is tools and cached[1] is response_format:
            bound = cached[2]
        else:
            model = self.models[name]
            bound = {}
            if tools:
                bound.update(_tool_kwargs(model, kwargs))
            if isinstance(response_format, Mapping):
                bound.update(_format_kwargs(model, response_format))
            with self._lock:
                if len(self._cache) >= _CACHE_SIZE:
                    self._cache.clear()
                self._cache[key] = (tools, response_format, bound)
        rest = {k: v for k, v in kwargs.items() if k not in _TOOL_KEYS and k != _FORMAT_KEY}
        return {**rest, **bound}


# --- calling one tier ---------------------------------------------------------------------


def _streams(model: BaseChatModel, kwargs: Mapping[str, Any], *, async_api: bool) -> bool:
    cls = type(model)
    has_sync = cls._stream is not BaseChatModel._stream
    has_async = cls._astream is not BaseChatModel._astream
    if not (has_sync or (async_api and has_async)):
        return False
    disabled = model.disable_streaming
    return not (disabled is True or (disabled == "tool_calling" and kwargs.get("tools")))


def result_to_chunk(result: ChatResult) -> ChatGenerationChunk:
    """Turn a non-streaming tier's answer into one chunk, for a streaming caller."""
    generation = result.generations[0]
    message = generation.message
    if not isinstance(message, AIMessage):
        raise RoutingError(f"a tier returned {type(message).__name__}, not an AIMessage")
    calls = [
        tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
        for i, c in enumerate(message.tool_calls)
    ]
    metadata = {**(result.llm_output or {}), **message.response_metadata}
    chunk = AIMessageChunk(
        content=message.content,
        additional_kwargs=message.additional_kwargs,
        response_metadata=metadata,
        usage_metadata=message.usage_metadata,
        tool_call_chunks=calls,
        id=message.id,
    )
    chunk.invalid_tool_calls = [
        invalid_tool_call(name=c["name"], args=c["args"], id=c["id"], error=c["error"])
        for c in message.invalid_tool_calls
    ]
    return ChatGenerationChunk(message=chunk, generation_info=generation.generation_info)


def generate(
    model: BaseChatModel,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    """One complete answer from ``model``, inside the caller's run."""
    if model.rate_limiter is not None:
        model.rate_limiter.acquire(blocking=True)
    return model._generate(messages, stop=stop, **kwargs)


async def agenerate(
    model: BaseChatModel,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    """Async :func:`generate`."""
    if model.rate_limiter is not None:
        await model.rate_limiter.aacquire(blocking=True)
    return await model._agenerate(messages, stop=stop, **kwargs)


def stream(
    model: BaseChatModel,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> Iterator[ChatGenerationChunk]:
    """The answer of ``model`` as chunks; one chunk if the model does not stream."""
    if not _streams(model, kwargs, async_api=False):
        yield result_to_chunk(generate(model, messages, stop, kwargs))
        return
    if model.rate_limiter is not None:
        model.rate_limiter.acquire(blocking=True)
    yield from model._stream(messages, stop=stop, **kwargs)


async def astream(
    model: BaseChatModel,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> AsyncIterator[ChatGenerationChunk]:
    """Async :func:`stream`."""
    if not _streams(model, kwargs, async_api=True):
        yield result_to_chunk(await agenerate(model, messages, stop, kwargs))
        return
    if model.rate_limiter is not None:
        await model.rate_limiter.aacquire(blocking=True)
    async for chunk in model._astream(messages, stop=stop, **kwargs):
        yield chunk


def merge_chunks(chunks: Sequence[ChatGenerationChunk]) -> AIMessageChunk:
    """The complete message a list of chunks adds up to."""
    if not chunks:
        return AIMessageChunk(content="")
    first = chunks[0].message
    merged = first if len(chunks) == 1 else first + [c.message for c in chunks[1:]]
    if not isinstance(merged, AIMessageChunk):
        raise RoutingError(f"a tier streamed {type(merged).__name__}, not AIMessageChunk")
    return merged
