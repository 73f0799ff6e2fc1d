"""The one place where generation output becomes LangChain chunks.

Sync and async streaming, and ``invoke`` (which aggregates the stream), all pass the
same :class:`RawChunk` values through :func:`to_generation_chunk`, so the three paths
cannot drift apart in what they report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.tool import invalid_tool_call, tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult


@dataclass(frozen=True, slots=True)
class ToolCallOut:
    """A complete tool call as it leaves the model."""

    index: int
    id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FinalInfo:
    """What is known only when generation has ended.

    Attributes:
        finish_reason: ``stop`` (end of turn or a stop sequence), ``length``
            (``max_tokens`` or the context window ran out), or ``tool_calls``.
        input_tokens: Tokens in the rendered prompt.
        output_tokens: Tokens in the response.
        mean_logprob: Mean log-probability the model gave the tokens it produced
            (``None`` for an empty response): the router's confidence signal.
        model_name: The model's name for metadata and tracing.
        incomplete_tool_call: Text of a tool call cut off by ``length``; it is
            reported here and never returned as a call.
    """

    finish_reason: str
    input_tokens: int
    output_tokens: int
    mean_logprob: float | None
    model_name: str
    incomplete_tool_call: str | None = None


@dataclass(frozen=True, slots=True)
class RawChunk:
    """One unit of generation output: a text delta, a tool call, or the final info."""

    text: str = ""
    tool_call: ToolCallOut | None = None
    final: FinalInfo | None = None


def final_metadata(final: FinalInfo) -> dict[str, Any]:
    """``response_metadata`` of the final chunk (and so of the whole message)."""
    metadata: dict[str, Any] = {
        "model_name": final.model_name,
        "finish_reason": final.finish_reason,
        "mean_logprob": final.mean_logprob,
    }
    if final.incomplete_tool_call is not None:
        metadata["incomplete_tool_call"] = final.incomplete_tool_call
    return metadata


def to_generation_chunk(raw: RawChunk) -> ChatGenerationChunk:
    """Convert one :class:`RawChunk` to a ``ChatGenerationChunk`` (pure)."""
    if raw.final is not None:
        final = raw.final
        message = AIMessageChunk(
            content=raw.text,
            usage_metadata={
                "input_tokens": final.input_tokens,
                "output_tokens": final.output_tokens,
                "total_tokens": final.input_tokens + final.output_tokens,
            },
            response_metadata=final_metadata(final),
            chunk_position="last",
        )
        return ChatGenerationChunk(
            message=message, generation_info={"finish_reason": final.finish_reason}
        )
    chunks = []
    if raw.tool_call is not None:
        call = raw.tool_call
        chunks.append(
            tool_call_chunk(
                name=call.name,
                args=json.dumps(call.args, ensure_ascii=False),
                id=call.id,
                index=call.index,
            )
        )
    return ChatGenerationChunk(message=AIMessageChunk(content=raw.text, tool_call_chunks=chunks))


def flag_incomplete_call(result: ChatResult) -> ChatResult:
    """Report a tool call cut off by ``max_tokens`` as invalid rather than dropping it."""
    generation = result.generations[0]
    message = generation.message
    pending = message.response_metadata.get("incomplete_tool_call")
    if pending is None or not isinstance(message, AIMessage):
        return result
    flagged = invalid_tool_call(
        name=None,
        args=pending,
        id=None,
        error="the response ran out of tokens inside this tool call; raise max_tokens",
    )
    generation.message = message.model_copy(
        update={"invalid_tool_calls": [*message.invalid_tool_calls, flagged]}
    )
    return result
