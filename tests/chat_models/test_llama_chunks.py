"""RawChunk -> ChatGenerationChunk, and what the aggregated message looks like."""

from __future__ import annotations

from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessage

from hetero_agents.chat_models._chunks import (
    FinalInfo,
    RawChunk,
    ToolCallOut,
    flag_incomplete_call,
    to_generation_chunk,
)

FINAL = FinalInfo(
    finish_reason="tool_calls",
    input_tokens=30,
    output_tokens=12,
    mean_logprob=-0.25,
    model_name="tiny",
)


def test_text_chunk_has_no_usage_or_position() -> None:
    chunk = to_generation_chunk(RawChunk(text="Hi"))
    assert chunk.text == "Hi"
    assert chunk.message.usage_metadata is None
    assert chunk.message.chunk_position is None


def test_final_chunk_carries_usage_metadata_and_position() -> None:
    message = to_generation_chunk(RawChunk(final=FINAL)).message
    assert message.usage_metadata == {"input_tokens": 30, "output_tokens": 12, "total_tokens": 42}
    assert message.response_metadata == {
        "model_name": "tiny",
        "finish_reason": "tool_calls",
        "mean_logprob": -0.25,
    }
    assert message.chunk_position == "last"


def test_stream_aggregates_to_content_and_complete_tool_calls() -> None:
    raws = [
        RawChunk(text="Checking. "),
        RawChunk(tool_call=ToolCallOut(0, "call_a", "get_weather", {"city": "Oslo"})),
        RawChunk(tool_call=ToolCallOut(1, "call_b", "now", {})),
        RawChunk(final=FINAL),
    ]
    message = generate_from_stream(iter(map(to_generation_chunk, raws))).generations[0].message
    assert isinstance(message, AIMessage)
    assert message.content == "Checking. "
    assert [(c["id"], c["name"], c["args"]) for c in message.tool_calls] == [
        ("call_a", "get_weather", {"city": "Oslo"}),
        ("call_b", "now", {}),
    ]
    assert message.usage_metadata is not None
    assert message.usage_metadata["total_tokens"] == 42


def test_a_call_cut_off_by_max_tokens_is_reported_invalid_not_partial() -> None:
    cut = FinalInfo("length", 30, 96, -0.5, "tiny", incomplete_tool_call='{"name": "f", "argu')
    result = flag_incomplete_call(
        generate_from_stream(iter([to_generation_chunk(RawChunk(final=cut))]))
    )
    message = result.generations[0].message
    assert isinstance(message, AIMessage)
    assert message.tool_calls == []
    assert len(message.invalid_tool_calls) == 1
    assert message.invalid_tool_calls[0]["args"] == '{"name": "f", "argu'
    assert "max_tokens" in (message.invalid_tool_calls[0]["error"] or "")
