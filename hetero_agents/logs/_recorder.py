"""The row lifecycle behind ``CallLogger``: start -> (tokens) -> end or error -> enqueue.

Kept apart from the LangChain handler so the handler is only an adapter of
signatures. Every public method here is called from inside a callback and
must never raise into the agent: failures are counted in :class:`CaptureHealth`.
A failing redactor costs the *content* of a row (it is then recorded metadata
only), never the row itself, and never leaks unredacted text.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from hetero_agents.logs import _calls
from hetero_agents.logs._health import HANDLER_ERRORS, CaptureHealth
from hetero_agents.logs._ids import new_ulid
from hetero_agents.logs._redact_cache import CleanTexts
from hetero_agents.logs._rows import CALLS, SHADOWS, TOOLS
from hetero_agents.logs._snapshot import redact_value
from hetero_agents.logs._writer import BackgroundWriter
from hetero_agents.logs.pricing import PriceTable
from hetero_agents.redaction import RedactionScope, Redactor

_T = TypeVar("_T")
Fill = Callable[[dict[str, Any], RedactionScope], None]

# Tool calls are remembered until the tool run that answers them starts (then
# forgotten); recent calls by run id, for shadow results that arrive after them.
_MAX_OPEN_TOOL_CALLS = 50_000
_MAX_RECENT_CALLS = 10_000


@dataclass(slots=True)
class _Pending:
    row: dict[str, Any]
    t0: float
    scope: RedactionScope | None
    content: bool
    first_token: float | None = None
    n_children: int = 0


class Recorder:
    """Builds ``calls``, ``tools`` and ``shadows`` rows from callback events."""

    def __init__(
        self,
        writer: BackgroundWriter,
        *,
        redactor: Redactor,
        capture_content: bool,
        prices: PriceTable,
        health: CaptureHealth,
    ) -> None:
        """Record into ``writer``, redacting with ``redactor`` and pricing with ``prices``."""
        self.writer = writer
        self.redactor = redactor
        self.capture_content = capture_content
        self.prices = prices
        self.health = health
        self._calls: dict[UUID, _Pending] = {}
        self._tools: dict[UUID, _Pending] = {}
        self._tool_call_owner: OrderedDict[str, str] = OrderedDict()
        self._recent_calls: OrderedDict[str, str] = OrderedDict()  # run id -> call id
        self._links = threading.Lock()
        self._clean = CleanTexts()

    # --- model calls ------------------------------------------------------------------------

    def start_call(
        self,
        *,
        serialized: Mapping[str, Any] | None,
        messages: Sequence[BaseMessage],
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
        invocation_params: Mapping[str, Any] | None,
    ) -> None:
        """Snapshot and redact the request of a model call."""
        try:
            meta = metadata or {}
            params = invocation_params or {}

            def fill(row: dict[str, Any], scope: RedactionScope) -> None:
                row.update(_calls.request_fields(messages, params, scope))

            pending = self._open(run_id, parent_run_id, tags, meta, fill)
            row = pending.row
            # A chat model that calls another one (a wrapper and its tiers) nests runs.
            parent = self._calls.get(parent_run_id) if parent_run_id is not None else None
            if parent is not None:
                parent.n_children += 1
                row["parent_call_id"] = parent.row["id"]
            row["tier"] = meta.get("hetero_tier")
            row["provider"] = meta.get("ls_provider")
            row["model"] = _calls.model_name(meta, params, serialized)
            self._calls[run_id] = pending
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def first_token(self, run_id: UUID) -> None:
        """Note when a streamed call produced its first token."""
        pending = self._calls.get(run_id)
        if pending is not None and pending.first_token is None:
            pending.first_token = time.perf_counter()

    def end_call(self, run_id: UUID, response: LLMResult) -> None:
        """Add the response, usage, route and cost to the call's row, and queue it."""
        pending = self._calls.pop(run_id, None)
        if pending is None:
            return  # started before the handler was attached, or already recorded
        try:
            row = self._finish_call(pending)
            row["status"] = "ok"
            tool_calls = self._content(
                pending,
                lambda scope, content: _calls.response_fields(row, response, scope, content),
            )
            _calls.price(row, self.prices)
            self._remember(row, tool_calls)
            self.writer.submit(CALLS, row)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def fail_call(self, run_id: UUID, error: BaseException, partial: object) -> None:
        """Record a failed call, with the partial response LangChain may pass along."""
        pending = self._calls.pop(run_id, None)
        if pending is None:
            return
        try:
            row = self._finish_call(pending)

            def fill(scope: RedactionScope | None, content: bool) -> None:
                if isinstance(partial, LLMResult):
                    _calls.response_fields(row, partial, scope, content)
                _calls.error_fields(row, error, scope, content)

            self._content(pending, fill)
            _calls.price(row, self.prices)
            self._remember(row, [])
            self.writer.submit(CALLS, row)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    # --- tool runs --------------------------------------------------------------------------

    def start_tool(
        self,
        *,
        name: str | None,
        tool_input: Any,
        tool_call_id: str | None,
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
    ) -> None:
        """Snapshot a tool's input; link the run to the call whose tool call it answers."""
        try:

            def fill(row: dict[str, Any], scope: RedactionScope) -> None:
                row["input_json"] = redact_value(tool_input, scope)

            pending = self._open(run_id, parent_run_id, tags, metadata, fill)
            row = pending.row
            row["name"] = name
            row["tool_call_id"] = tool_call_id
            if tool_call_id is not None:
                with self._links:
                    row["call_id"] = self._tool_call_owner.pop(tool_call_id, None)
            self._tools[run_id] = pending
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def end_tool(self, run_id: UUID, output: Any) -> None:
        """Add the tool's result and queue the row."""
        pending = self._tools.pop(run_id, None)
        if pending is None:
            return
        try:
            row = self._finish(pending)
            row["status"] = "ok"

            def fill(scope: RedactionScope | None, content: bool) -> None:
                if content:
                    _calls.tool_output_fields(row, output, scope)

            self._content(pending, fill)
            self.writer.submit(TOOLS, row)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def fail_tool(self, run_id: UUID, error: BaseException) -> None:
        """Record a tool run that raised."""
        pending = self._tools.pop(run_id, None)
        if pending is None:
            return
        try:
            row = self._finish(pending)
            self._content(
                pending, lambda scope, content: _calls.error_fields(row, error, scope, content)
            )
            self.writer.submit(TOOLS, row)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    # --- shadow results ---------------------------------------------------------------------

    def shadow(self, data: Mapping[str, Any], run_id: UUID | str | None) -> None:
        """Queue a shadow-mode comparison, linked to the served call when it is known."""
        try:
            row = _calls.shadow_fields(data, self.redactor.scope())
            row["call_id"] = self._call_id_of(data.get("run_id") or run_id)
            self.writer.submit(SHADOWS, row)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def _call_id_of(self, run_ref: UUID | str | None) -> str | None:
        """The row id of a served run, whether its row is queued already or still open.

        A shadow tier can answer before the served call's end callback has run, so
        the still-open rows are looked at too (their id is fixed when they start).
        """
        if run_ref is None:
            return None
        with self._links:
            queued = self._recent_calls.get(str(run_ref))
        if queued is not None:
            return queued
        try:
            pending = self._calls.get(run_ref if isinstance(run_ref, UUID) else UUID(run_ref))
        except ValueError:
            return None
        return str(pending.row["id"]) if pending is not None else None

    # --- internals --------------------------------------------------------------------------

    def _open(
        self,
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
        fill: Fill,
    ) -> _Pending:
        """Start a row; content goes in through ``fill``, under a fresh redaction scope."""
        started = time.time()
        t0 = time.perf_counter()
        row_id = new_ulid(started)

        def common(scope: RedactionScope | None, content: bool) -> dict[str, Any]:
            return _calls.common_fields(
                row_id=row_id,
                started=started,
                run_id=run_id,
                parent_run_id=parent_run_id,
                tags=tags,
                metadata=metadata,
                scope=scope,
                content=content,
            )

        content = self.capture_content
        try:
            scope = self._clean.wrap(self.redactor.scope())
            row = common(scope, content)
            if content:
                fill(row, scope)
            return _Pending(row, t0, scope, content)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)
        return _Pending(common(None, False), t0, None, content=False)

    def _content(self, pending: _Pending, fill: Callable[[RedactionScope | None, bool], _T]) -> _T:
        """Add the end-of-run fields; on a redaction failure, fall back to metadata only."""
        try:
            return fill(pending.scope, pending.content)
        except Exception as exc:
            if not pending.content:
                raise
            self.health.record(HANDLER_ERRORS, 1, exc)
        _calls.drop_content(pending.row)
        pending.content = False
        return fill(None, False)

    @staticmethod
    def _finish(pending: _Pending) -> dict[str, Any]:
        row = pending.row
        row["duration_ms"] = (time.perf_counter() - pending.t0) * 1000.0
        return row

    @classmethod
    def _finish_call(cls, pending: _Pending) -> dict[str, Any]:
        row = cls._finish(pending)
        if pending.first_token is not None:
            row["ttft_ms"] = (pending.first_token - pending.t0) * 1000.0
        row["streamed"] = int(pending.first_token is not None)
        row["n_children"] = pending.n_children
        return row

    def _remember(self, row: dict[str, Any], tool_calls: list[dict[str, Any]]) -> None:
        """Keep what later events link to: tool calls (tool runs) and the run (shadows)."""
        call_id = row["id"]
        with self._links:
            recent = self._recent_calls
            recent[row["run_id"]] = call_id
            if len(recent) > _MAX_RECENT_CALLS:
                recent.popitem(last=False)
            owner = self._tool_call_owner
            for call in tool_calls:
                call_ref = call.get("id")
                if call_ref:
                    owner[call_ref] = call_id
            while len(owner) > _MAX_OPEN_TOOL_CALLS:
                owner.popitem(last=False)
