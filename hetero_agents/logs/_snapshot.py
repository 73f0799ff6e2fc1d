"""LangChain objects -> redacted, JSON-ready Python values, on the agent's calling thread.

A snapshot is taken when a callback fires, so a message mutated later cannot
change what was logged, and everything in it that a person wrote or a model
said goes through the call's redaction scope before it is queued. Structural
fields (message type, ids, tool-call ids, usage, response metadata) are copied
untouched, so redaction can never break the link between a tool call and the
tool run that answers it. The result is lossless: ``messages_from_dict`` turns
the stored messages back into the objects the model saw.

Most messages hold nothing to redact. Their snapshot is *frozen*: the message
written as JSON bytes in one call into C (:func:`freeze_message`), which the
writer thread reads back (:func:`thaw`). This runs between two steps of the
agent's graph, where every Python object touched is a cache miss; writing bytes
touches far fewer than copying the message into new dicts and lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from pydantic import BaseModel

from hetero_agents.logs._encode import dumps_json, json_copy, json_freeze, json_thaw
from hetero_agents.redaction import RedactionScope, redact_json

_JSON_LEAVES = frozenset({str, int, float, bool, type(None)})
# Message fields that carry what was said; everything else is structure.
_CONTENT_FIELDS = ("content", "additional_kwargs", "artifact")
_TOOL_CALL_FIELDS = ("tool_calls", "invalid_tool_calls")
# Per message class: which of those fields it has (a human message has no tool calls).
_PLANS: dict[type[BaseMessage], tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _plan(cls: type[BaseMessage]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    plan = _PLANS.get(cls)
    if plan is None:
        fields = cls.model_fields
        plan = _PLANS[cls] = (
            tuple(name for name in _CONTENT_FIELDS if name in fields),
            tuple(name for name in _TOOL_CALL_FIELDS if name in fields),
        )
    return plan


def snapshot_message(message: BaseMessage, scope: RedactionScope | None) -> dict[str, Any]:
    """A lossless ``{"type": ..., "data": {...}}`` dict (``message_to_dict``'s shape), redacted."""
    return _snapshot(message, _fields_copy(message.__dict__), scope)


#: What the callbacks keep of a message: the ``{"type", "data"}`` dict of
#: :func:`snapshot_message`, or that dict already written as JSON (frozen).
Snapshot = dict[str, Any] | bytes


def freeze_message(message: BaseMessage, scope: RedactionScope) -> Snapshot:
    """A redacted snapshot of ``message``: frozen when redaction changes nothing in it.

    The frozen snapshot holds exactly the JSON that :func:`snapshot_message` would
    give, since that would be a copy of the same fields with nothing replaced.
    A message with something to redact, or whose text fields hold anything but
    plain JSON values (which the copy would turn into their text, to be
    redacted), takes :func:`snapshot_message`.
    """
    if json_freeze is not None and _nothing_to_redact(message, scope):
        try:
            return json_freeze({"type": message.type, "data": message.__dict__})
        except TypeError:  # beyond what orjson writes (integers over 64 bits)
            pass
    return snapshot_message(message, scope)


def thaw(snapshot: Snapshot) -> dict[str, Any]:
    """The ``{"type", "data"}`` dict of a snapshot, frozen or not (on the writer thread)."""
    if isinstance(snapshot, bytes):
        thawed: dict[str, Any] = json_thaw(snapshot)
        return thawed
    return snapshot


def snapshot_json(snapshot: Snapshot) -> str:
    """The JSON text of a snapshot, as :data:`dumps_json` writes it (a frozen one is that)."""
    return snapshot.decode() if isinstance(snapshot, bytes) else dumps_json(snapshot)


def snapshots_json(snapshots: Sequence[Snapshot]) -> str:
    """The JSON text of a list of snapshots (a call's request), without writing any twice."""
    frozen = [snapshot for snapshot in snapshots if isinstance(snapshot, bytes)]
    if len(frozen) == len(snapshots):  # the usual case: one decode
        return (b"[" + b",".join(frozen) + b"]").decode()
    return "[" + ",".join([snapshot_json(snapshot) for snapshot in snapshots]) + "]"


def _nothing_to_redact(message: BaseMessage, scope: RedactionScope) -> bool:
    """Whether what :func:`_snapshot` would redact is plain JSON that redaction leaves alone.

    Texts go through ``scope`` here, so a text found clean is remembered, and
    a text that needed redacting is redacted once: the scope remembers its
    placeholder for the copy :func:`snapshot_message` then makes.
    """
    data = message.__dict__
    content_fields, tool_call_fields = _PLANS.get(message.__class__) or _plan(message.__class__)
    for name in content_fields:
        value = data[name]
        if value and not _unchanged(value, scope):
            return False
    for name in tool_call_fields:
        for call in data[name] or ():
            if call.__class__ is not dict:
                return False
            args = call.get("args")
            if args is not None and not _unchanged(args, scope):
                return False
    return True


def _unchanged(value: Any, scope: RedactionScope) -> bool:
    if value.__class__ is str:
        return bool(scope.redact(value) == value)
    return _plain_json(value) and redact_json(value, scope) == value


def _plain_json(value: Any) -> bool:
    """Made only of JSON's own types (dicts with text keys, lists, text, numbers)."""
    cls = value.__class__
    if cls is dict:
        return all(key.__class__ is str and _plain_json(item) for key, item in value.items())
    if cls is list:
        return all(_plain_json(item) for item in value)
    return cls in _JSON_LEAVES


def snapshot_structure(message: BaseMessage) -> dict[str, Any]:
    """Only what a metadata-only row reads from an answer: its usage and response metadata."""
    data = {"response_metadata": message.response_metadata}
    usage = getattr(message, "usage_metadata", None)
    if usage is not None:
        data["usage_metadata"] = usage
    return {"type": message.type, "data": _fields_copy(data)}


def _snapshot(
    message: BaseMessage, data: dict[str, Any], scope: RedactionScope | None
) -> dict[str, Any]:
    """Redact the copied fields of ``message`` in place: its text and tool-call arguments."""
    if scope is not None:
        content_fields, tool_call_fields = _PLANS.get(message.__class__) or _plan(message.__class__)
        for name in content_fields:
            value = data[name]
            if value:  # "" and {} hold nothing
                data[name] = (
                    scope.redact(value) if value.__class__ is str else redact_json(value, scope)
                )
        for name in tool_call_fields:
            for call in data[name] or ():
                args = call.get("args") if isinstance(call, dict) else None
                if args is not None:
                    call["args"] = (
                        scope.redact(args) if args.__class__ is str else redact_json(args, scope)
                    )
    return {"type": message.type, "data": data}


def _fields_copy(fields: Any) -> Any:
    """A deep copy, in C when it can be: what :data:`dumps_json` would write, read back.

    What the writer stores is the same either way, since it writes JSON with the
    same encoder; values that are not JSON (an object in ``additional_kwargs``)
    become their text here, so redaction sees them too.
    """
    if json_copy is not None:
        try:
            return json_copy(fields)
        except TypeError:  # beyond what orjson writes (integers over 64 bits)
            pass
    return _copy(fields)


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
        return {
            key if key.__class__ is str else str(key): item
            if item.__class__ in _JSON_LEAVES
            else jsonable(item)
            for key, item in value.items()
        }
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


def prompt_text(messages: Sequence[Snapshot]) -> str:
    """The new input of a call: the text of the messages after the model's last turn.

    A whole conversation is resent on every call; indexing all of it for search
    would index the same words again and again. What a call adds is what came
    after the last AI message (the user's question, or the tool results), and
    only those snapshots are read back.
    """
    new: list[Snapshot] = []
    for message in reversed(messages):
        kind = snapshot_type(message)
        if kind in ("ai", "AIMessageChunk"):
            break
        if kind != "system":
            new.append(message)
    texts = [content_text(thaw(message)["data"].get("content")) for message in reversed(new)]
    return "\n".join(text for text in texts if text)


def snapshot_type(snapshot: Snapshot) -> str:
    """The message type of a snapshot, read from its head when it is frozen.

    A frozen snapshot starts ``{"type":"<type>",`` (:func:`freeze_message` writes it
    so); a type holding an escaped quote, which no message class has, is read whole.
    """
    if isinstance(snapshot, bytes):
        end = snapshot.find(b'"', _TYPE_AT)
        if snapshot.startswith(_TYPE_HEAD) and snapshot[end - 1] != _BACKSLASH:
            return snapshot[_TYPE_AT:end].decode()
        snapshot = thaw(snapshot)
    kind: str = snapshot["type"]
    return kind


_TYPE_HEAD = b'{"type":"'
_TYPE_AT = len(_TYPE_HEAD)
_BACKSLASH = ord("\\")


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


def _copy(value: Any) -> Any:
    """A deep copy of containers (leaves are shared; they are immutable in practice)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value
