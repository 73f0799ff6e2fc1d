"""Shaping a ``calls`` / ``tools`` row from a draft, on the writer thread.

Pure functions over values the callbacks already snapshotted and redacted (see
``_drafts.py``), so each extraction rule is testable alone and none of them
costs the agent's thread anything. Nothing here redacts: whatever reaches these
functions was redacted before it was queued, or is structure (ids, names,
usage, LangChain's bookkeeping) that redaction never touches.

The rows they make are *ready*: only the columns that are not NULL, and JSON
columns already as text, so the encoder only binds them (``RowEncoder.encode_ready``).
Shaping and encoding are most of the writer thread's work, and a call row leaves
about half of its 41 columns NULL: not writing those at all is the cheap way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from hetero_agents.logs._encode import dumps_json
from hetero_agents.logs._ids import new_ulid, ulid_text
from hetero_agents.logs._snapshot import (
    Snapshot,
    content_text,
    jsonable,
    prompt_text,
    redact_value,
    snapshot_json,
    snapshots_json,
    thaw,
)
from hetero_agents.logs.pricing import PriceTable
from hetero_agents.redaction import RedactionScope

if TYPE_CHECKING:
    from hetero_agents.logs._drafts import CallDraft, Draft

Row = dict[str, Any]

# Metadata keys that have a column of their own, or that only repeat LangChain's
# bookkeeping (``ls_*`` keys are dropped too): not repeated in ``metadata_json``.
COLUMN_KEYS = frozenset(
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
#: LangGraph's own keys (path, triggers, checkpoint namespace): structure, not user data.
FRAMEWORK_PREFIXES = ("langgraph_", "checkpoint_")
_ROUTE_KEY = "hetero"
# Metadata key sets seen (in order) -> the LangGraph keys among them that are recorded.
_FRAMEWORK_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}
_MAX_KEY_SETS = 1024


def put_present(row: Row, pairs: Iterable[tuple[str, Any]]) -> None:
    """Set each ``(column, value)`` whose value is not ``None``: a ready row leaves NULLs out."""
    for column, value in pairs:
        if value is not None:
            row[column] = value


def bare_fields(draft: Draft) -> Row:
    """What every row records, whatever else fails to shape: ids, time, duration, status.

    On its own, this is a metadata-only row (``Draft.salvage``).
    """
    row: Row = {
        "id": ulid_text(draft.row_id),
        "datetime_utc": draft.started,
        "run_id": uuid_text(draft.run_id),
        "status": draft.status,
        "content_captured": 0,
        "encrypted": 0,
    }
    parent = draft.parent_run_id
    put_present(
        row,
        (
            ("duration_ms", draft.duration_ms),
            ("parent_run_id", None if parent is None else uuid_text(parent)),
            ("error_type", draft.error_type),
        ),
    )
    return row


def common_fields(draft: Draft) -> Row:
    """The fields calls and tool runs share: ids, time, graph position, status, metadata."""
    row = bare_fields(draft)
    row["content_captured"] = int(draft.content)
    meta = draft.metadata
    step = meta.get("langgraph_step")
    thread_id = draft.thread_id
    put_present(
        row,
        (
            ("thread_id", None if thread_id is None else str(thread_id)),
            ("node", meta.get("langgraph_node")),
            ("step", step if isinstance(step, int) else None),
            ("task", meta.get("hetero_task")),
            ("error", draft.error),
        ),
    )
    if draft.tags:
        row["tags_json"] = dumps_json(draft.tags)
    # User metadata can carry user ids and emails: it was redacted like content,
    # and is left out when redaction did not work for this row.
    if draft.scope is not None:
        recorded = metadata_json(meta, draft.user_metadata)
        if recorded is not None:
            row["metadata_json"] = dumps_json(recorded)
    return row


def ulid_or_none(ulid: int | None) -> str | None:
    """The text of a row id the callbacks linked to, if there is one."""
    return None if ulid is None else ulid_text(ulid)


def uuid_text(run_id: UUID) -> str:
    """``str(run_id)``, a quarter faster (it runs twice for every row the writer shapes)."""
    digits = "%032x" % run_id.int  # noqa: UP031 (printf-style is the fastest here)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def metadata_json(meta: Mapping[str, Any], user: Mapping[str, Any] | None) -> Row | None:
    """LangGraph's keys, then the (already redacted) user keys; ``None`` if there are none.

    LangGraph's values are strings and tuples of strings, which the writer's JSON
    encoder takes as they are.
    """
    keys = tuple(meta)
    framework = _FRAMEWORK_KEYS.get(keys)
    if framework is None:  # runs of one node carry the same keys: sorted out once
        framework = tuple(
            key for key in keys if key.startswith(FRAMEWORK_PREFIXES) and key not in COLUMN_KEYS
        )
        if len(_FRAMEWORK_KEYS) < _MAX_KEY_SETS:
            _FRAMEWORK_KEYS[keys] = framework
    recorded = {key: meta[key] for key in framework}
    if user:
        recorded.update(user)
    return recorded or None


def request_fields(
    row: Row, messages: list[Snapshot], invocation_params: Mapping[str, Any]
) -> None:
    """The request: lossless (redacted) messages, bound tools, and the other call options."""
    row["messages_json"] = snapshots_json(messages)
    tools = invocation_params.get("tools")
    if tools:
        row["tools_json"] = dumps_json(redact_value(tools, None))
    options = {k: v for k, v in invocation_params.items() if k != "tools"}
    if options:
        # Call options are the developer's configuration (model, temperature, stop,
        # tool choice), not user data; secrets in them are SecretStr, which prints masked.
        row["options_json"] = dumps_json(jsonable(options))
    row["prompt"] = prompt_text(messages)


def model_name(
    metadata: Mapping[str, Any],
    invocation_params: Mapping[str, Any],
    serialized: Mapping[str, Any] | None,
) -> str | None:
    """The model a call asked for: ``ls_model_name``, the call params, else the model class.

    The response's own model name, when it reports one, replaces this later.
    """
    for value in (
        metadata.get("ls_model_name"),
        invocation_params.get("model"),
        invocation_params.get("model_name"),
    ):
        if isinstance(value, str) and value:
            return value
    if serialized:
        name = serialized.get("name")
        if isinstance(name, str) and name:
            return name
        ids = serialized.get("id")
        if isinstance(ids, list) and ids and isinstance(ids[-1], str) and ids[-1]:
            return ids[-1]
    return None


def response_fields(row: Row, draft: CallDraft) -> None:
    """Fill ``row`` with the answer, usage and route of a call.

    The answer is the draft's snapshot of the answer message (``{"type", "data"}``,
    perhaps frozen; only its structural part when content is not recorded), or a completion
    model's redacted text; older integrations report usage in ``llm_output``.
    """
    snapshot = draft.response
    response = None if snapshot is None else thaw(snapshot)
    data: Row = response["data"] if response is not None else {}
    input_tokens, output_tokens, usage = token_usage(data.get("usage_metadata"), draft.llm_output)
    if input_tokens is not None:
        row["input_tokens"] = input_tokens
    if output_tokens is not None:
        row["output_tokens"] = output_tokens
    if usage is not None:
        row["usage_json"] = dumps_json(usage)
    if draft.finish_reason is not None:
        row["finish_reason"] = draft.finish_reason
    metadata = data.get("response_metadata") or {}
    served = metadata.get("model_name") or metadata.get("model")
    if isinstance(served, str) and served:
        row["model"] = served
    route = metadata.get(_ROUTE_KEY)
    if isinstance(route, dict):
        _route_fields(row, route)
    if not draft.content:
        return
    if snapshot is not None:
        row["response"] = content_text(data.get("content"))
        tool_calls = data.get("tool_calls")
        if tool_calls:
            row["tool_calls_json"] = dumps_json(tool_calls)
        row["response_json"] = snapshot_json(snapshot)
    elif draft.text is not None:
        row["response"] = draft.text


def token_usage(
    usage: Row | None, llm_output: Mapping[str, Any] | None
) -> tuple[int | None, int | None, Row | None]:
    """Input and output tokens, plus the provider's full usage detail.

    ``usage`` is the answer's ``usage_metadata`` from its snapshot (already a copy
    of JSON values); older integrations report usage in ``llm_output`` instead.
    """
    if usage:
        return usage.get("input_tokens"), usage.get("output_tokens"), usage
    legacy = (llm_output or {}).get("token_usage") or (llm_output or {}).get("usage")
    if isinstance(legacy, dict) and legacy:
        return (
            legacy.get("prompt_tokens", legacy.get("input_tokens")),
            legacy.get("completion_tokens", legacy.get("output_tokens")),
            jsonable(legacy),
        )
    return None, None, None


def price(row: Row, prices: PriceTable) -> None:
    """Set ``cost_usd`` from the row's model, provider, tier and tokens (when it is known)."""
    cost = prices.cost(
        row.get("model"),
        row.get("input_tokens"),
        row.get("output_tokens"),
        provider=row.get("provider"),
        tier=row.get("tier"),
    )
    if cost is not None:
        row["cost_usd"] = cost


def tool_output_fields(row: Row, output: Any, is_message: bool) -> None:
    """A tool's (redacted) result: its text for reading, and the lossless value."""
    if output is not None:
        row["output_json"] = dumps_json(output)
    if is_message:
        row["output"] = content_text(output["data"].get("content"))
    elif isinstance(output, str):
        row["output"] = output


def shadow_fields(data: Mapping[str, Any], scope: RedactionScope) -> Row:
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


def _route_fields(row: Row, route: Mapping[str, Any]) -> None:
    """Copy the router's decision (``response_metadata["hetero"]``) into its columns."""
    row["route_json"] = dumps_json(jsonable(route))
    put_present(row, ((column, route.get(key)) for column, key in _ROUTE_COLUMNS))
    model = route.get("model")
    if isinstance(model, str) and model:
        row["model"] = model
    score = route.get("score")
    if isinstance(score, int | float):
        row["route_score"] = float(score)
    escalated = route.get("escalated")
    if escalated is not None:
        row["escalated"] = int(bool(escalated))


_ROUTE_COLUMNS = (
    ("tier", "tier"),
    ("task", "task"),
    ("route_policy", "policy"),
    ("route_reason", "reason"),
    ("escalation_reason", "escalation_reason"),
)
