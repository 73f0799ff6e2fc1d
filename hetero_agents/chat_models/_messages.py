"""LangChain messages to the plain dicts that GGUF chat templates expect.

Two renderings of tool traffic exist because templates differ:

* *native*: templates that know about tools (Qwen2.5, Llama 3.1, Hermes) receive
  ``tool_calls`` on assistant turns and ``tool`` role messages, and lay them out in
  the format the model was trained on;
* *inline*: templates without tool support (SmolLM2) would drop or garble them, so
  calls become ``<tool_call>`` text in the assistant turn and results become
  ``<tool_response>`` text in a user turn — the same format the model is asked to
  use for new calls, so that a history reads as a consistent example.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from hetero_agents.chat_models._grammar import TOOL_CALL_CLOSE, TOOL_CALL_OPEN

#: Content blocks that carry no prompt text of their own (tool calls are rendered
#: from ``AIMessage.tool_calls``; reasoning is not fed back).
_SKIPPED_BLOCKS = frozenset(
    {"tool_use", "tool_call", "tool_call_chunk", "function_call", "reasoning", "thinking"}
)


def message_text(content: str | list[Any]) -> str:
    """The text of a message's content, whether a string or a list of blocks.

    Raises:
        ValueError: The content holds an image, audio, file or other non-text block.
    """
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
            continue
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            parts.append(str(block.get("text", "")))
        elif kind not in _SKIPPED_BLOCKS:
            raise ValueError(
                f"ChatLlamaCpp is text-only and cannot take a {kind!r} content block. "
                "Send such messages to a multimodal model (a router can do this)."
            )
    return "".join(parts)


def render_call_inline(name: str, args: dict[str, Any]) -> str:
    """One tool call in the text form the model is asked to produce."""
    payload = json.dumps({"name": name, "arguments": args}, ensure_ascii=False)
    return f"{TOOL_CALL_OPEN}\n{payload}\n{TOOL_CALL_CLOSE}"


def _role(message: BaseMessage) -> str:
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, ChatMessage):
        return message.role
    if isinstance(message, ToolMessage):
        return "tool"
    raise ValueError(f"ChatLlamaCpp cannot render a {type(message).__name__}")


def _native(message: BaseMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": _role(message), "content": message_text(message.content)}
    if isinstance(message, AIMessage) and message.tool_calls:
        out["tool_calls"] = [
            {
                "type": "function",
                "id": call.get("id"),
                "function": {"name": call["name"], "arguments": call["args"]},
            }
            for call in message.tool_calls
        ]
    if isinstance(message, ToolMessage):
        out["tool_call_id"] = message.tool_call_id
        if message.name:
            out["name"] = message.name
    return out


def _inline(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for message in messages:
        text = message_text(message.content)
        if isinstance(message, ToolMessage):
            block = f"<tool_response>\n{text}\n</tool_response>"
            previous = out[-1] if out else None
            if previous is not None and previous.get("_tool_results"):
                previous["content"] += "\n" + block
            else:
                out.append({"role": "user", "content": block, "_tool_results": True})
            continue
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = "\n".join(render_call_inline(c["name"], c["args"]) for c in message.tool_calls)
            text = f"{text}\n{calls}" if text else calls
        out.append({"role": _role(message), "content": text})
    for item in out:
        item.pop("_tool_results", None)
    return out


def to_template_messages(
    messages: Sequence[BaseMessage], *, native_tools: bool
) -> list[dict[str, Any]]:
    """Convert a conversation for a chat template.

    Args:
        messages: The LangChain conversation.
        native_tools: Whether the template renders ``tool_calls`` and ``tool``
            messages itself; if not, they are rendered inline as text.

    Raises:
        ValueError: A message holds non-text content or has an unknown type.
    """
    if native_tools:
        return [_native(m) for m in messages]
    return _inline(messages)
