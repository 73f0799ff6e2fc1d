"""One curated example in each fine-tuning format teams use elsewhere.

- OpenAI chat fine-tuning: ``{"messages": [...], "tools": [...]}``, the LLM's
  answer as the last assistant message, tool calls in wire form
  (``id``, ``type: "function"``, ``function.arguments`` as a JSON string).
  TRL, Axolotl and Unsloth read the same lines.
- ShareGPT, as LLaMA-Factory reads it for tool use: ``conversations`` of
  ``human`` / ``gpt`` / ``function_call`` / ``observation`` turns, the system
  prompt and the tools (JSON text) beside them.
- A flat row for Hugging Face ``datasets``: the OpenAI messages with every field
  present (Arrow needs one schema for all rows) and the tools as JSON text, since
  tool schemas differ from row to row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hetero_agents.pipeline.records import Example


def openai_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A bound tool in OpenAI's ``{"type": "function", "function": {...}}`` shape."""
    if tool.get("type") == "function" and isinstance(tool.get("function"), Mapping):
        return dict(tool)
    from langchain_core.utils.function_calling import convert_to_openai_tool

    return convert_to_openai_tool(dict(tool))


def openai_messages(example: Example) -> list[dict[str, Any]]:
    """The request and the LLM's answer as OpenAI chat messages, every tool call with an id.

    Recorded calls may lack ids (some providers omit them); fine-tuning formats
    require them, so missing ones are numbered ``call_0``, ``call_1``... and a
    tool message that answered a missing id inherits the number of the call.
    """
    from langchain_core.messages import convert_to_openai_messages

    wire = convert_to_openai_messages(
        [*example.to_messages(), example.response_message()], text_format="string"
    )
    assert isinstance(wire, list)
    numbered = 0
    pending: list[str] = []  # ids assigned to calls still waiting for their tool message
    for message in wire:
        for call in message.get("tool_calls") or ():
            if not call.get("id"):
                call["id"] = f"call_{numbered}"
                pending.append(call["id"])
            numbered += 1
        if message.get("role") == "tool" and not message.get("tool_call_id") and pending:
            message["tool_call_id"] = pending.pop(0)
    return wire


def openai_line(example: Example) -> dict[str, Any]:
    """One OpenAI chat fine-tuning example."""
    line: dict[str, Any] = {"messages": openai_messages(example)}
    if example.tools:
        line["tools"] = [openai_tool(tool) for tool in example.tools]
    return line


def sharegpt_record(example: Example) -> dict[str, Any]:
    """One ShareGPT conversation (LLaMA-Factory's tool-use flavour)."""
    system: list[str] = []
    turns: list[dict[str, str]] = []
    for message in openai_messages(example):
        role, content = message.get("role"), _text(message.get("content"))
        if role in ("system", "developer"):
            system.append(content)
        elif role == "user":
            turns.append({"from": "human", "value": content})
        elif role == "tool":
            turns.append({"from": "observation", "value": content})
        elif message.get("tool_calls"):
            calls = [
                {"name": c["function"]["name"], "arguments": _arguments(c["function"])}
                for c in message["tool_calls"]
            ]
            value = calls[0] if len(calls) == 1 else calls
            turns.append({"from": "function_call", "value": json.dumps(value, ensure_ascii=False)})
        else:
            turns.append({"from": "gpt", "value": content})
    record: dict[str, Any] = {"conversations": turns}
    if system:
        record["system"] = "\n\n".join(system)
    if example.tools:
        functions = [openai_tool(tool)["function"] for tool in example.tools]
        record["tools"] = json.dumps(functions, ensure_ascii=False)
    return record


def hf_row(example: Example, cluster_id: int, label: str) -> dict[str, Any]:
    """One row of the Hugging Face dataset (see :data:`hf_features`)."""
    messages = [
        {
            "role": m.get("role", ""),
            "content": _text(m.get("content")),
            "tool_calls": [
                {
                    "id": c.get("id") or "",
                    "type": c.get("type", "function"),
                    "function": {
                        "name": c["function"]["name"],
                        "arguments": c["function"]["arguments"],
                    },
                }
                for c in m.get("tool_calls") or ()
            ],
            "tool_call_id": m.get("tool_call_id") or "",
        }
        for m in openai_messages(example)
    ]
    tools = [openai_tool(tool) for tool in example.tools or ()]
    return {
        "call_id": example.call_id,
        "cluster_id": cluster_id,
        "cluster_label": label,
        "split": example.split,
        "messages": messages,
        "tools": json.dumps(tools, ensure_ascii=False),
    }


def hf_features() -> Any:
    """The explicit Arrow schema of :func:`hf_row` (one schema, even for empty clusters)."""
    from hetero_agents._extras import require

    datasets = require("datasets", "pipeline")
    string = datasets.Value("string")
    call = {
        "id": string,
        "type": string,
        "function": {"name": string, "arguments": string},
    }
    message = {
        "role": string,
        "content": string,
        "tool_calls": datasets.List(call),
        "tool_call_id": string,
    }
    return datasets.Features(
        {
            "call_id": string,
            "cluster_id": datasets.Value("int64"),
            "cluster_label": string,
            "split": string,
            "messages": datasets.List(message),
            "tools": string,
        }
    )


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return json.dumps(content, ensure_ascii=False)


def _arguments(function: Mapping[str, Any]) -> Any:
    """Arguments as an object (ShareGPT's convention), whatever the wire form was."""
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except ValueError:
            return arguments
    return arguments
