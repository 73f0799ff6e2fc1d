"""LangChain objects -> redacted, JSON-ready Python values, on the agent's calling thread.

A snapshot is taken when a callback fires, so a message mutated later cannot
change what was logged, and everything in it that a person wrote or a model
said goes through the call's redaction scope before it is queued. Structural
fields (message type, ids, tool-call ids, usage, response metadata) are copied
untouched, so redaction can never break the link between a tool call and the
tool run that answers it. The result is lossless: ``messages_from_dict`` turns
the stored messages back into the objects the model saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from pydantic import BaseModel

from hetero_agents.redaction import RedactionScope, redact_json

# Message fields that carry what was said; everything else is structure.
_CONTENT_FIELDS = frozenset({"content", "additional_kwargs", "artifact"})
_TOOL_CALL_FIELDS = frozenset({"tool_calls", "invalid_tool_calls"})
_ATOMS = frozenset({str, int, float, bool})
_FIELDS: dict[type[BaseMessage], tuple[str, ...]] = {}


def snapshot_message(message: BaseMessage, scope: RedactionScope | None) -> dict[str, Any]:
    """A lossless ``{"type": ..., "data": {...}}`` dict (``message_to_dict``'s shape), redacted."""
    cls = type(message)
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = tuple(cls.model_fields)
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(message, name)
        if name in _CONTENT_FIELDS:
            if scope is not None and value:  # empty text or {} has nothing to redact
                value = scope.redact(value) if isinstance(value, str) else redact_json(value, scope)
            else:
                value = _copy(value)
        elif value is None or value.__class__ in _ATOMS:
            pass  # immutable: shared, not copied
        elif name in _TOOL_CALL_FIELDS:
            value = [_tool_call(call, scope) for call in value]
        else:
            value = _copy(value)
        data[name] = value
    return {"type": message.type, "data": data}


def snapshot_messages(
    messages: Sequence[BaseMessage], scope: RedactionScope | None
) -> list[dict[str, Any]]:
    """:func:`snapshot_message` over a list."""
    return [snapshot_message(message, scope) for message in messages]


def redact_value(value: Any, scope: RedactionScope | None) -> Any:
    """A redacted, JSON-safe deep copy of any value (tool inputs and outputs, metadata).

    Objects that are not JSON (a pydantic model, a ``Command``, a UUID) are
    turned into JSON values or text *before* redaction, so nothing reaches the
    database unredacted through ``json.dumps(default=str)``.
    """
    if isinstance(value, BaseMessage):
        return snapshot_message(value, scope)
    value = jsonable(value)
    if scope is None or value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return scope.redact(value)
    return redact_json(value, scope)


def jsonable(value: Any) -> Any:
    """A deep copy of ``value`` made only of JSON types; anything else becomes its text."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    if isinstance(value, BaseMessage):
        return snapshot_message(value, None)
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(mode="json"))
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    return str(value)


def content_text(content: Any) -> str:
    """The text of a message ``content``: the string, or its text blocks joined."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and isinstance(block.get("text"), str):
            parts.append(block["text"])
    return "".join(parts)


def prompt_text(messages: Sequence[dict[str, Any]]) -> str:
    """The new input of a call: the text of the messages after the model's last turn.

    A whole conversation is resent on every call; indexing all of it for search
    would index the same words again and again. What a call adds is what came
    after the last AI message (the user's question, or the tool results).
    """
    start = 0
    for index in range(len(messages) - 1, -1, -1):
        if messages[index]["type"] in ("ai", "AIMessageChunk"):
            start = index + 1
            break
    texts = [
        content_text(message["data"].get("content"))
        for message in messages[start:]
        if message["type"] != "system"
    ]
    return "\n".join(text for text in texts if text)


def first_generation(result: LLMResult) -> tuple[BaseMessage | None, str | None, dict[str, Any]]:
    """The first candidate of a result: its message (chat models), its text, its info."""
    if not result.generations or not result.generations[0]:
        return None, None, {}
    generation = result.generations[0][0]
    info = generation.generation_info or {}
    if isinstance(generation, ChatGeneration):
        return generation.message, None, info
    return None, generation.text, info


def finish_reason(message: BaseMessage | None, info: dict[str, Any]) -> str | None:
    """Why generation stopped, whatever the provider calls it."""
    metadata = message.response_metadata if message is not None else {}
    for source in (metadata, info):
        for key in ("finish_reason", "stop_reason", "done_reason"):
            value = source.get(key)
            if value is not None:
                return str(value)
    return None


def token_usage(
    message: BaseMessage | None, result: LLMResult
) -> tuple[int | None, int | None, dict[str, Any] | None]:
    """Input and output tokens, plus the provider's full usage detail."""
    usage = getattr(message, "usage_metadata", None)
    if usage:
        return usage.get("input_tokens"), usage.get("output_tokens"), _copy(usage)
    legacy = (result.llm_output or {}).get("token_usage") or (result.llm_output or {}).get("usage")
    if isinstance(legacy, dict) and legacy:
        return (
            legacy.get("prompt_tokens", legacy.get("input_tokens")),
            legacy.get("completion_tokens", legacy.get("output_tokens")),
            _copy(legacy),
        )
    return None, None, None


def _tool_call(call: Any, scope: RedactionScope | None) -> Any:
    """Copy a tool call, redacting only its arguments (ids and names are structure)."""
    if not isinstance(call, dict):
        return _copy(call)
    copied = dict(call)
    args = copied.get("args")
    if scope is not None and args is not None:
        copied["args"] = scope.redact(args) if isinstance(args, str) else redact_json(args, scope)
    else:
        copied["args"] = _copy(args)
    return copied


def _copy(value: Any) -> Any:
    """A deep copy of containers (leaves are shared; they are immutable in practice)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value
