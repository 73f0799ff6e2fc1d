"""What a callback queues: redacted snapshots now, the row dict later, off the agent's thread.

A ``calls`` row has 41 columns and most of them are derived: ids as text, the
model name, the price, the route columns, the text indexed for search, the call
options as JSON values. Only two things must happen on the agent's thread, when
the callback fires: the *snapshot* (the agent may change its message objects
once the callback returns) and *redaction* (nothing unredacted is queued). So
the callbacks fill a draft with redacted snapshots (most of them frozen: JSON
bytes, see ``_snapshot.py``), plus values nobody changes afterwards (a copy of
the run's metadata and tags, the invocation parameters and ``llm_output`` that
LangChain builds afresh for each run, the row id as a number), and the writer
thread turns each draft into its row right before encoding it (:meth:`build`).

With ``capture_content=False`` a draft holds no content at all: only the
structural parts of the answer (usage, response metadata, tool-call ids).

A draft that cannot be built (a value of a type nothing expected) still gives a
row: :meth:`salvage` keeps what needs no shaping (ids, time, duration, status),
marked as metadata only. A bad value never costs a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from hetero_agents.logs import _calls
from hetero_agents.logs._calls import COLUMN_KEYS, Row
from hetero_agents.logs._encode import dumps_json
from hetero_agents.logs._redact_cache import RememberingScope
from hetero_agents.logs._snapshot import Snapshot, redact_value, thaw
from hetero_agents.logs.pricing import PriceTable
from hetero_agents.redaction import RedactionScope

# Metadata keys LangChain and LangGraph set on every run: none of them is user data,
# so a run whose keys are all here needs no look at its metadata at all (the usual case).
_KNOWN_KEYS = COLUMN_KEYS | {
    "langgraph_path",
    "langgraph_triggers",
    "langgraph_checkpoint_ns",
    "ls_provider",
    "ls_model_name",
    "ls_model_type",
    "ls_temperature",
    "ls_max_tokens",
    "ls_stop",
    "ls_integration",
}
_NOT_USER_PREFIXES = ("ls_", *_calls.FRAMEWORK_PREFIXES)


def user_metadata(metadata: Mapping[str, Any], scope: RedactionScope) -> Row | None:
    """The run's user metadata keys, redacted (``None`` when it has none)."""
    if _KNOWN_KEYS.issuperset(metadata):
        return None
    user = {
        key: value
        for key, value in metadata.items()
        if key not in COLUMN_KEYS and not key.startswith(_NOT_USER_PREFIXES)
    }
    return redact_value(user, scope) if user else None


@dataclass(slots=True, eq=False)
class Draft:
    """What every row records about its run, captured when the run starts.

    ``scope`` is the run's redaction scope, ``None`` when redaction did not work for
    this row: then neither content nor user metadata is recorded. Row ids (this
    row's, and the rows it links to) are ULID numbers, spelled by the writer.
    """

    row_id: int
    started: float
    t0: float
    run_id: UUID
    parent_run_id: UUID | None
    tags: list[str] | None
    metadata: Mapping[str, Any]
    thread_id: Any
    content: bool
    scope: RememberingScope | None
    user_metadata: Row | None = None
    duration_ms: float | None = None
    status: str = "ok"
    error_type: str | None = None
    error: str | None = None

    def drop_content(self) -> None:
        """Record this row as metadata only (its redaction failed part-way)."""
        self.content = False
        self.scope = None
        self.user_metadata = None

    def salvage(self) -> Row:
        """The row that needs no shaping: ids, time, duration and status, no content."""
        return _calls.bare_fields(self)


@dataclass(slots=True, eq=False)
class CallDraft(Draft):
    """A chat-model call: its request at the start, its answer at the end."""

    messages: list[Snapshot] | None = None
    invocation_params: Mapping[str, Any] | None = None
    serialized: Mapping[str, Any] | None = None
    prices: PriceTable | None = None
    parent_call_id: int | None = None
    n_children: int = 0
    first_token: float | None = None
    ttft_ms: float | None = None
    response: Snapshot | None = None
    text: str | None = None
    finish_reason: str | None = None
    llm_output: Mapping[str, Any] | None = None

    def drop_content(self) -> None:
        """Record this call as metadata only: the request, answer and error text go."""
        Draft.drop_content(self)
        self.messages = None
        self.text = None
        self.error = None
        if self.response is not None:
            self.response = structure_of(thaw(self.response))

    def build(self) -> Row:
        """The ``calls`` row, ready to insert (on the writer thread)."""
        row = _calls.common_fields(self)
        meta = self.metadata
        params = self.invocation_params or {}
        row["n_children"] = self.n_children
        row["streamed"] = int(self.first_token is not None)
        _calls.put_present(
            row,
            (
                ("parent_call_id", _calls.ulid_or_none(self.parent_call_id)),
                ("ttft_ms", self.ttft_ms),
                ("tier", meta.get("hetero_tier")),
                ("provider", meta.get("ls_provider")),
                ("model", _calls.model_name(meta, params, self.serialized)),
            ),
        )
        if self.content and self.messages is not None:
            _calls.request_fields(row, self.messages, params)
        _calls.response_fields(row, self)
        if self.prices is not None:
            _calls.price(row, self.prices)
        return row


@dataclass(slots=True, eq=False)
class ToolDraft(Draft):
    """A tool run: its input at the start, its result at the end."""

    name: str | None = None
    tool_call_id: str | None = None
    call_id: int | None = None
    tool_input: Any = None
    output: Any = None
    output_is_message: bool = False
    has_output: bool = False

    def drop_content(self) -> None:
        """Record this run as metadata only: input, output and error text go."""
        Draft.drop_content(self)
        self.tool_input = self.output = self.error = None
        self.has_output = False

    def build(self) -> Row:
        """The ``tools`` row, ready to insert (on the writer thread)."""
        row = _calls.common_fields(self)
        _calls.put_present(
            row,
            (
                ("name", self.name),
                ("tool_call_id", self.tool_call_id),
                ("call_id", _calls.ulid_or_none(self.call_id)),
            ),
        )
        if self.content:
            if self.tool_input is not None:
                row["input_json"] = dumps_json(self.tool_input)
            if self.has_output:
                _calls.tool_output_fields(row, self.output, self.output_is_message)
        return row


def structure_of(response: Row) -> Row:
    """Only the structural part of an answer's snapshot: what a metadata-only row reads."""
    data = response["data"]
    return {
        "type": response["type"],
        "data": {key: data[key] for key in ("response_metadata", "usage_metadata") if key in data},
    }
