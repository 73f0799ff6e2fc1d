"""Building one ``calls`` / ``tools`` row from the arguments LangChain passes to callbacks.

Pure functions over plain values, so the handler in ``logger.py`` stays a thin
lifecycle (start -> end -> enqueue) and each extraction rule is testable alone.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult
from langchain_core.runnables.config import var_child_runnable_config

from hetero_agents.logs._ids import new_ulid
from hetero_agents.logs._rows import CALL_CONTENT_COLUMNS, TOOL_CONTENT_COLUMNS
from hetero_agents.logs._snapshot import (
    content_text,
    finish_reason,
    first_generation,
    jsonable,
    prompt_text,
    redact_value,
    snapshot_message,
    snapshot_messages,
    token_usage,
)
from hetero_agents.logs.pricing import PriceTable
from hetero_agents.redaction import RedactionScope

# Metadata keys that have a column of their own, or that only repeat LangChain's
# bookkeeping (``ls_*`` keys are dropped too): not repeated in ``metadata_json``.
_COLUMN_KEYS = frozenset(
    {
        "langgraph_node",
        "langgraph_step",
        "thread_id",
        "hetero_task",
        "hetero_tier",
        "checkpoint_ns",
        "lc_versions",
    }
)
_ROUTE_KEY = "hetero"
_FRAMEWORK = ("langgraph_", "checkpoint_")


def common_fields(
    *,
    row_id: str,
    started: float,
    run_id: UUID,
    parent_run_id: UUID | None,
    tags: Sequence[str] | None,
    metadata: Mapping[str, Any] | None,
    scope: RedactionScope | None,
    content: bool,
) -> dict[str, Any]:
    """The fields calls and tool runs share: ids, time, graph position, tags, metadata."""
    meta = metadata or {}
    thread_id = meta.get("thread_id")
    if thread_id is None:
        # LangGraph copies ``configurable["thread_id"]`` into metadata; elsewhere the
        # enclosing runnable's config (if any) still carries it.
        enclosing = var_child_runnable_config.get()
        if enclosing is not None:
            thread_id = (enclosing.get("configurable") or {}).get("thread_id")
    step = meta.get("langgraph_step")
    extra = {k: v for k, v in meta.items() if k not in _COLUMN_KEYS and not k.startswith("ls_")}
    metadata_json = None
    if extra and scope is not None:
        # LangGraph's own keys (path, triggers, checkpoint namespace) are structure,
        # not user data: only the user's keys go through the redactor.
        framework = {k: jsonable(v) for k, v in extra.items() if k.startswith(_FRAMEWORK)}
        user = {k: v for k, v in extra.items() if not k.startswith(_FRAMEWORK)}
        metadata_json = {**framework, **redact_value(user, scope)} if user else framework
    return {
        "id": row_id,
        "datetime_utc": started,
        "run_id": str(run_id),
        "parent_run_id": None if parent_run_id is None else str(parent_run_id),
        "thread_id": None if thread_id is None else str(thread_id),
        "node": meta.get("langgraph_node"),
        "step": step if isinstance(step, int) else None,
        "task": meta.get("hetero_task"),
        "tags_json": list(tags) if tags else None,
        # User metadata can carry user ids and emails: it is redacted like content,
        # and left out when there is no working redaction scope.
        "metadata_json": metadata_json,
        "content_captured": int(content),
        "encrypted": 0,
    }


def request_fields(
    messages: Sequence[BaseMessage],
    invocation_params: Mapping[str, Any],
    scope: RedactionScope | None,
) -> dict[str, Any]:
    """The request: lossless messages, bound tools, and the other call options."""
    snapped = snapshot_messages(messages, scope)
    options = {k: v for k, v in invocation_params.items() if k != "tools"}
    tools = invocation_params.get("tools")
    return {
        "messages_json": snapped,
        "tools_json": redact_value(tools, None) if tools else None,
        # Call options are the developer's configuration (model, temperature, stop,
        # tool choice), not user data; secrets in them are SecretStr, which prints masked.
        "options_json": jsonable(options) if options else None,
        "prompt": prompt_text(snapped),
    }


def model_name(
    metadata: Mapping[str, Any] | None,
    invocation_params: Mapping[str, Any],
    serialized: Mapping[str, Any] | None,
) -> str | None:
    """The model a call asked for: ``ls_model_name``, the call params, else the model class.

    The response's own model name, when it reports one, replaces this later.
    """
    meta = metadata or {}
    ids = (serialized or {}).get("id")
    for value in (
        meta.get("ls_model_name"),
        invocation_params.get("model"),
        invocation_params.get("model_name"),
        (serialized or {}).get("name"),
        ids[-1] if isinstance(ids, list) and ids else None,
    ):
        if isinstance(value, str) and value:
            return value
    return None


def response_fields(
    row: dict[str, Any],
    result: LLMResult,
    scope: RedactionScope | None,
    content: bool,
) -> list[dict[str, Any]]:
    """Fill ``row`` with the response, usage and route; return the tool calls (for linking)."""
    message, text, info = first_generation(result)
    input_tokens, output_tokens, usage = token_usage(message, result)
    row["input_tokens"] = input_tokens
    row["output_tokens"] = output_tokens
    row["usage_json"] = usage
    row["finish_reason"] = finish_reason(message, info)
    tool_calls: list[dict[str, Any]] = []
    if message is not None:
        metadata = message.response_metadata
        served = metadata.get("model_name") or metadata.get("model")
        if isinstance(served, str) and served:
            row["model"] = served
        route = metadata.get(_ROUTE_KEY)
        if isinstance(route, dict):
            _route_fields(row, route)
        snapped = snapshot_message(message, scope if content else None)
        tool_calls = snapped["data"].get("tool_calls") or []
        if content:
            row["response"] = content_text(snapped["data"].get("content"))
            row["tool_calls_json"] = tool_calls or None
            row["response_json"] = snapped
    elif content and text is not None:
        row["response"] = scope.redact(text) if scope is not None else text
    return tool_calls


def drop_content(row: dict[str, Any]) -> None:
    """Turn a row into a metadata-only one (after its redaction failed part-way)."""
    for column in CALL_CONTENT_COLUMNS | TOOL_CONTENT_COLUMNS | {"metadata_json", "options_json"}:
        row.pop(column, None)
    row["content_captured"] = 0


def price(row: dict[str, Any], prices: PriceTable) -> None:
    """Set ``cost_usd`` from the row's model, provider, tier and tokens."""
    row["cost_usd"] = prices.cost(
        row.get("model"),
        row.get("input_tokens"),
        row.get("output_tokens"),
        provider=row.get("provider"),
        tier=row.get("tier"),
    )


def error_fields(
    row: dict[str, Any], error: BaseException, scope: RedactionScope | None, content: bool
) -> None:
    """Mark ``row`` failed. The message may quote the prompt, so it is content."""
    row["status"] = "error"
    row["error_type"] = type(error).__name__
    if content:
        message = str(error)
        row["error"] = scope.redact(message) if scope is not None else message


def tool_output_fields(row: dict[str, Any], output: Any, scope: RedactionScope | None) -> None:
    """A tool's result: its text for reading, and the lossless value (a ``ToolMessage`` dict)."""
    value = redact_value(output, scope)
    row["output_json"] = value
    if isinstance(output, BaseMessage):
        row["output"] = content_text(value["data"].get("content"))
    elif isinstance(value, str):
        row["output"] = value
    else:
        row["output"] = None


def shadow_fields(data: Mapping[str, Any], scope: RedactionScope) -> dict[str, Any]:
    """A ``shadows`` row from a ``hetero_shadow`` event's data (a ``ShadowResult`` dict)."""
    started = time.time()
    agreed = data.get("agreed")
    similarity = data.get("similarity")
    duration = data.get("duration_s")
    error = data.get("error")
    return {
        "id": new_ulid(started),
        "datetime_utc": started,
        "run_id": None if data.get("run_id") is None else str(data["run_id"]),
        "task": data.get("task"),
        "node": data.get("node"),
        "served_tier": data.get("served_tier"),
        "served_model": data.get("served_model"),
        "shadow_tier": data.get("shadow_tier"),
        "shadow_model": data.get("shadow_model"),
        "agreed": None if agreed is None else int(bool(agreed)),
        "similarity": float(similarity) if isinstance(similarity, int | float) else None,
        "kind": data.get("kind"),
        "error": scope.redact(str(error)) if error is not None else None,
        "duration_ms": float(duration) * 1000.0 if isinstance(duration, int | float) else None,
        "encrypted": 0,
    }


def _route_fields(row: dict[str, Any], route: Mapping[str, Any]) -> None:
    """Copy the router's decision (``response_metadata["hetero"]``) into its columns."""
    row["route_json"] = redact_value(dict(route), None)
    if route.get("tier") is not None:
        row["tier"] = route["tier"]
    if isinstance(route.get("model"), str) and route["model"]:
        row["model"] = route["model"]
    if route.get("task") is not None:
        row["task"] = route["task"]
    row["route_policy"] = route.get("policy")
    score = route.get("score")
    row["route_score"] = float(score) if isinstance(score, int | float) else None
    row["route_reason"] = route.get("reason")
    escalated = route.get("escalated")
    row["escalated"] = None if escalated is None else int(bool(escalated))
    row["escalation_reason"] = route.get("escalation_reason")
