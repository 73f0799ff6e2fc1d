"""What the store hands back: one typed, immutable record per call and per tool run.

JSON columns come back parsed and content comes back decrypted, so the
pipeline never touches SQL or ciphertext. The request messages are kept in
LangChain's lossless dict form; :meth:`CallRecord.to_messages` rebuilds the
message objects for a replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hetero_agents.logs._rows import (
    CALL_CONTENT_COLUMNS,
    SHADOW_CONTENT_COLUMNS,
    TOOL_CONTENT_COLUMNS,
)

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage, BaseMessage

Decrypt = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class ToolRecord:
    """One tool run, linked by ``call_id`` to the call whose tool call it answered."""

    id: str
    datetime_utc: datetime
    duration_ms: float | None
    call_id: str | None
    tool_call_id: str | None
    run_id: str | None
    parent_run_id: str | None
    thread_id: str | None
    node: str | None
    step: int | None
    task: str | None
    name: str | None
    input: Any
    output: str | None
    output_value: Any
    status: str
    error_type: str | None
    error: str | None
    tags: list[str]
    metadata: dict[str, Any]
    content_captured: bool
    encrypted: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO text)."""
        data = asdict(self)
        data["datetime_utc"] = self.datetime_utc.isoformat()
        return data


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One chat-model call as recorded: request, response, route, usage, cost, outcome.

    ``parent_call_id`` is set on a call made from inside another chat model's
    call (a router's tier); ``n_children`` counts such calls under this one.
    Content fields are ``None`` when content was not captured, or when the rows
    are encrypted and the store has no key (``encrypted`` tells which).
    """

    id: str
    datetime_utc: datetime
    duration_ms: float | None
    ttft_ms: float | None
    run_id: str | None
    parent_run_id: str | None
    parent_call_id: str | None
    n_children: int
    thread_id: str | None
    node: str | None
    step: int | None
    task: str | None
    tier: str | None
    model: str | None
    provider: str | None
    route: dict[str, Any] | None
    messages: list[dict[str, Any]] | None
    tools: list[dict[str, Any]] | None
    options: dict[str, Any] | None
    prompt: str | None
    response: str | None
    tool_calls: list[dict[str, Any]] | None
    finish_reason: str | None
    response_message: dict[str, Any] | None
    input_tokens: int | None
    output_tokens: int | None
    usage: dict[str, Any] | None
    cost_usd: float | None
    status: str
    error_type: str | None
    error: str | None
    streamed: bool
    tags: list[str]
    metadata: dict[str, Any]
    content_captured: bool
    encrypted: bool
    tool_runs: tuple[ToolRecord, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether the call returned a response."""
        return self.status == "ok"

    @property
    def has_content(self) -> bool:
        """Whether the request messages are available (captured, and readable)."""
        return self.messages is not None

    def to_messages(self) -> list[BaseMessage]:
        """The request as LangChain message objects, exactly as the model received them."""
        from langchain_core.messages import messages_from_dict

        return messages_from_dict(self.messages or [])

    def response_to_message(self) -> AIMessage | None:
        """The response as an ``AIMessage`` (``None`` for errors and metadata-only rows)."""
        if self.response_message is None:
            return None
        from langchain_core.messages import AIMessage, messages_from_dict

        message = messages_from_dict([self.response_message])[0]
        return message if isinstance(message, AIMessage) else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO text, tool runs nested)."""
        data = asdict(self)
        data["datetime_utc"] = self.datetime_utc.isoformat()
        data["tool_runs"] = [run.to_dict() for run in self.tool_runs]
        return data


@dataclass(frozen=True, slots=True)
class ShadowRecord:
    """One shadow-mode comparison: the tier not served answered too; did it agree?"""

    id: str
    datetime_utc: datetime
    call_id: str | None
    run_id: str | None
    task: str | None
    node: str | None
    served_tier: str | None
    served_model: str | None
    shadow_tier: str | None
    shadow_model: str | None
    agreed: bool | None
    similarity: float | None
    kind: str | None
    error: str | None
    duration_ms: float | None


def shadow_from_row(row: Mapping[str, Any], decrypt: Decrypt | None) -> ShadowRecord:
    """Build a :class:`ShadowRecord` from a ``shadows`` row."""
    values = _readable(row, SHADOW_CONTENT_COLUMNS, decrypt)
    agreed = values["agreed"]
    return ShadowRecord(
        id=values["id"],
        datetime_utc=datetime.fromisoformat(values["datetime_utc"]),
        call_id=values["call_id"],
        run_id=values["run_id"],
        task=values["task"],
        node=values["node"],
        served_tier=values["served_tier"],
        served_model=values["served_model"],
        shadow_tier=values["shadow_tier"],
        shadow_model=values["shadow_model"],
        agreed=None if agreed is None else bool(agreed),
        similarity=values["similarity"],
        kind=values["kind"],
        error=values["error"],
        duration_ms=values["duration_ms"],
    )


def call_from_row(row: Mapping[str, Any], decrypt: Decrypt | None) -> CallRecord:
    """Build a :class:`CallRecord` from a ``calls`` row (a column -> value mapping)."""
    values = _readable(row, CALL_CONTENT_COLUMNS, decrypt)
    return CallRecord(
        id=values["id"],
        datetime_utc=datetime.fromisoformat(values["datetime_utc"]),
        duration_ms=values["duration_ms"],
        ttft_ms=values["ttft_ms"],
        run_id=values["run_id"],
        parent_run_id=values["parent_run_id"],
        parent_call_id=values["parent_call_id"],
        n_children=values["n_children"] or 0,
        thread_id=values["thread_id"],
        node=values["node"],
        step=values["step"],
        task=values["task"],
        tier=values["tier"],
        model=values["model"],
        provider=values["provider"],
        route=_json(values["route_json"]),
        messages=_json(values["messages_json"]),
        tools=_json(values["tools_json"]),
        options=_json(values["options_json"]),
        prompt=values["prompt"],
        response=values["response"],
        tool_calls=_json(values["tool_calls_json"]),
        finish_reason=values["finish_reason"],
        response_message=_json(values["response_json"]),
        input_tokens=values["input_tokens"],
        output_tokens=values["output_tokens"],
        usage=_json(values["usage_json"]),
        cost_usd=values["cost_usd"],
        status=values["status"],
        error_type=values["error_type"],
        error=values["error"],
        streamed=bool(values["streamed"]),
        tags=_json(values["tags_json"]) or [],
        metadata=_json(values["metadata_json"]) or {},
        content_captured=bool(values["content_captured"]),
        encrypted=bool(values["encrypted"]),
    )


def tool_from_row(row: Mapping[str, Any], decrypt: Decrypt | None) -> ToolRecord:
    """Build a :class:`ToolRecord` from a ``tools`` row."""
    values = _readable(row, TOOL_CONTENT_COLUMNS, decrypt)
    return ToolRecord(
        id=values["id"],
        datetime_utc=datetime.fromisoformat(values["datetime_utc"]),
        duration_ms=values["duration_ms"],
        call_id=values["call_id"],
        tool_call_id=values["tool_call_id"],
        run_id=values["run_id"],
        parent_run_id=values["parent_run_id"],
        thread_id=values["thread_id"],
        node=values["node"],
        step=values["step"],
        task=values["task"],
        name=values["name"],
        input=_json(values["input_json"]),
        output=values["output"],
        output_value=_json(values["output_json"]),
        status=values["status"],
        error_type=values["error_type"],
        error=values["error"],
        tags=_json(values["tags_json"]) or [],
        metadata=_json(values["metadata_json"]) or {},
        content_captured=bool(values["content_captured"]),
        encrypted=bool(values["encrypted"]),
    )


def _readable(
    row: Mapping[str, Any], content: frozenset[str], decrypt: Decrypt | None
) -> dict[str, Any]:
    """The row with content decrypted, or blanked when it is encrypted and there is no key."""
    values = dict(row)
    if values.get("encrypted"):
        for column in content:
            token = values.get(column)
            if token is not None:
                values[column] = decrypt(token) if decrypt is not None else None
    return values


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)
