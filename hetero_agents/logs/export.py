"""Recorded calls out to the formats other tools read.

- OpenAI chat fine-tuning JSONL: ``{"messages": [...], "tools": [...]}`` per call,
  the response as the final assistant message (with ``tool_calls`` when the model
  called tools) — the format OpenAI's fine-tuning API, and most open-source
  trainers (TRL, Axolotl, Unsloth), accept for tool-use SFT.
- Plain JSONL: every field of every call, tool runs nested.
- OpenTelemetry GenAI spans (extra ``otel``): see :mod:`hetero_agents.logs._otel`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from hetero_agents.errors import LogStoreError
from hetero_agents.logs._otel import export_otel_spans, write_otel_jsonl
from hetero_agents.logs.records import CallRecord


def openai_example(record: CallRecord) -> dict[str, Any] | None:
    """One fine-tuning example, or ``None`` for a call that cannot teach anything.

    Failed calls and metadata-only rows are skipped. Encrypted rows read
    without the key raise instead: silently skipping them would produce a
    dataset that looks complete and is not.

    Raises:
        LogStoreError: The record's content is encrypted and was read without a key.
    """
    if record.encrypted and record.content_captured and record.messages is None:
        raise LogStoreError(
            f"call {record.id} is encrypted: open the LogStore with its encryption_key "
            "(or pass --key / $HETERO_AGENTS_LOG_KEY) to export it"
        )
    if not record.ok or record.messages is None:
        return None
    answer = record.response_to_message()
    if answer is None:
        return None
    from langchain_core.messages import convert_to_openai_messages

    example: dict[str, Any] = {
        "messages": convert_to_openai_messages([*record.to_messages(), answer])
    }
    if record.tools:
        example["tools"] = [_openai_tool(tool) for tool in record.tools]
    return example


def write_openai_jsonl(records: Iterable[CallRecord], fp: IO[str]) -> int:
    """Write one fine-tuning example per usable record; return how many were written."""
    written = 0
    for record in records:
        example = openai_example(record)
        if example is not None:
            fp.write(json.dumps(example, ensure_ascii=False) + "\n")
            written += 1
    return written


def write_jsonl(records: Iterable[CallRecord], fp: IO[str]) -> int:
    """Write every record as one JSON object per line; return how many were written."""
    written = 0
    for record in records:
        fp.write(json.dumps(record.to_dict(), ensure_ascii=False, default=str) + "\n")
        written += 1
    return written


def _openai_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A bound tool in OpenAI's ``{"type": "function", "function": {...}}`` shape."""
    if tool.get("type") == "function" and "function" in tool:
        return tool
    from langchain_core.utils.function_calling import convert_to_openai_tool

    try:
        return convert_to_openai_tool(tool)
    except (ValueError, TypeError, KeyError):
        return tool


__all__ = [
    "export_otel_spans",
    "openai_example",
    "write_jsonl",
    "write_openai_jsonl",
    "write_otel_jsonl",
]
