"""The row lifecycle behind ``CallLogger``: start -> (tokens) -> end or error -> enqueue.

Kept apart from the LangChain handler so the handler is only an adapter of
signatures. What runs here runs on the agent's thread, so it does only what
must happen there: snapshot and redact what the row will record, link runs to
each other, and queue a draft; the writer thread shapes the row (``_drafts.py``).
Every public method is called from inside a callback and must never raise into
the agent: failures are counted in :class:`CaptureHealth`. A failing redactor
costs the *content* of a row (it is then recorded metadata only), never the
row itself, and never leaks unredacted text.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult
from langchain_core.runnables.config import var_child_runnable_config

from hetero_agents.logs import _calls
from hetero_agents.logs._drafts import CallDraft, Draft, ToolDraft, user_metadata
from hetero_agents.logs._health import HANDLER_ERRORS, CaptureHealth
from hetero_agents.logs._ids import ulid_int
from hetero_agents.logs._redact_cache import CleanTexts
from hetero_agents.logs._rows import CALLS, SHADOWS, TOOLS
from hetero_agents.logs._snapshot import (
    finish_reason,
    first_generation,
    freeze_message,
    redact_value,
    snapshot_structure,
)
from hetero_agents.logs._writer import BackgroundWriter
from hetero_agents.logs.pricing import PriceTable
from hetero_agents.redaction import RedactionScope, Redactor

# Tool calls are remembered until the tool run that answers them starts (then
# forgotten); recent calls by run id, for shadow results that arrive after them.
_MAX_OPEN_TOOL_CALLS = 50_000
_MAX_RECENT_CALLS = 10_000

_D = TypeVar("_D", CallDraft, ToolDraft)
_Dr = TypeVar("_Dr", bound=Draft)
_A = TypeVar("_A")
_R = TypeVar("_R")


class Recorder:
    """Turns callback events into drafts of ``calls`` and ``tools`` rows, and ``shadows`` rows."""

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
        # Runs are keyed by their id's 128-bit integer: ``UUID.__hash__`` is Python code,
        # and these maps are read and written on every callback.
        self._calls: dict[int, CallDraft] = {}
        self._tools: dict[int, ToolDraft] = {}
        # Row ids are kept as ULID numbers here; the writer thread spells them.
        self._tool_call_owner: OrderedDict[str, int] = OrderedDict()
        self._recent_calls: OrderedDict[int, int] = OrderedDict()  # run id -> call id
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
            draft = self._open(CallDraft, run_id, parent_run_id, tags, metadata)
            draft.invocation_params = invocation_params
            draft.serialized = serialized
            draft.prices = self.prices
            if draft.content:
                self._guarded(draft, _set_messages, messages)
            # A chat model that calls another one (a wrapper and its tiers) nests runs.
            parent = self._calls.get(parent_run_id.int) if parent_run_id is not None else None
            if parent is not None:
                parent.n_children += 1
                draft.parent_call_id = parent.row_id
            self._calls[run_id.int] = draft
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def first_token(self, run_id: UUID) -> None:
        """Note when a streamed call produced its first token."""
        draft = self._calls.get(run_id.int)
        if draft is not None and draft.first_token is None:
            draft.first_token = time.perf_counter()

    def end_call(self, run_id: UUID, response: LLMResult) -> None:
        """Snapshot the answer, remember its tool calls, and queue the call."""
        draft = self._calls.pop(run_id.int, None)
        if draft is None:
            return  # started before the handler was attached, or already recorded
        try:
            _finish_call(draft)
            tool_calls = self._guarded(draft, _set_response, response)
            self._remember(draft, tool_calls)
            self._queue(CALLS, draft)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def fail_call(self, run_id: UUID, error: BaseException, partial: object) -> None:
        """Record a failed call, with the partial response LangChain may pass along."""
        draft = self._calls.pop(run_id.int, None)
        if draft is None:
            return
        try:
            _finish_call(draft)
            self._guarded(draft, _set_failure, (error, partial))
            self._remember(draft, ())
            self._queue(CALLS, draft)
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
            draft = self._open(ToolDraft, run_id, parent_run_id, tags, metadata)
            draft.name = name
            draft.tool_call_id = tool_call_id
            if draft.content:
                self._guarded(draft, _set_tool_input, tool_input)
            if tool_call_id is not None:
                with self._links:
                    draft.call_id = self._tool_call_owner.pop(tool_call_id, None)
            self._tools[run_id.int] = draft
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def end_tool(self, run_id: UUID, output: Any) -> None:
        """Snapshot the tool's result and queue the run."""
        draft = self._tools.pop(run_id.int, None)
        if draft is None:
            return
        try:
            _finish(draft)
            if draft.content:
                self._guarded(draft, _set_tool_output, output)
            self._queue(TOOLS, draft)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)

    def fail_tool(self, run_id: UUID, error: BaseException) -> None:
        """Record a tool run that raised."""
        draft = self._tools.pop(run_id.int, None)
        if draft is None:
            return
        try:
            _finish(draft)
            self._guarded(draft, _set_error, error)
            self._queue(TOOLS, draft)
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
        try:
            run_id = run_ref if isinstance(run_ref, UUID) else UUID(str(run_ref))
        except ValueError:
            return None
        with self._links:
            call_id = self._recent_calls.get(run_id.int)
        if call_id is None:
            draft = self._calls.get(run_id.int)
            call_id = draft.row_id if draft is not None else None
        return _calls.ulid_or_none(call_id)

    # --- internals --------------------------------------------------------------------------

    def _open(
        self,
        kind: type[_D],
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
    ) -> _D:
        """Start a draft of ``kind``: ids, time, a copy of the run's tags and metadata.

        The run's redaction scope is made here and serves the whole run, so a value
        gets the same placeholder in the request, the metadata and the answer (the
        redactor's own scope opens at the first text not already known clean).
        """
        started = time.time()
        t0 = time.perf_counter()
        meta = dict(metadata) if metadata else {}
        thread_id = meta.get("thread_id")
        if thread_id is None:
            # LangGraph copies ``configurable["thread_id"]`` into metadata; elsewhere the
            # enclosing runnable's config (if any) still carries it.
            enclosing = var_child_runnable_config.get()
            if enclosing is not None:
                thread_id = (enclosing.get("configurable") or {}).get("thread_id")
        draft = kind(  # positional: twice as fast as keywords, once per recorded run
            ulid_int(started),  # row_id
            started,
            t0,
            run_id,
            parent_run_id,
            list(tags) if tags else None,
            meta,
            thread_id,
            self.capture_content,  # content
            None,  # scope
        )
        try:
            scope = self._clean.scope(self.redactor)
            draft.user_metadata = user_metadata(meta, scope)
        except Exception as exc:
            self.health.record(HANDLER_ERRORS, 1, exc)
            draft.drop_content()
        else:
            draft.scope = scope
        return draft

    def _guarded(
        self,
        draft: _Dr,
        fill: Callable[[_Dr, _A, RedactionScope | None], _R],
        arg: _A,
    ) -> _R:
        """``fill(draft, arg, scope)``; if redaction fails, go metadata only.

        ``fill`` then runs again without a scope, and with ``draft.content`` false,
        so it records the structure it must (tool-call ids, usage) and no content.
        """
        if draft.content:
            try:
                return fill(draft, arg, draft.scope)
            except Exception as exc:
                self.health.record(HANDLER_ERRORS, 1, exc)
                draft.drop_content()
        return fill(draft, arg, None)

    def _queue(self, table: str, draft: CallDraft | ToolDraft) -> None:
        """Hand a finished draft to the writer, without what its scope remembers."""
        if draft.scope is not None:
            draft.scope.release()
        self.writer.submit(table, draft)

    def _remember(self, draft: CallDraft, tool_call_ids: Sequence[str]) -> None:
        """Keep what later events link to: tool calls (tool runs) and the run (shadows)."""
        call_id = draft.row_id
        with self._links:
            recent = self._recent_calls
            recent[draft.run_id.int] = call_id
            if len(recent) > _MAX_RECENT_CALLS:
                recent.popitem(last=False)
            if tool_call_ids:
                owner = self._tool_call_owner
                for call_ref in tool_call_ids:
                    owner[call_ref] = call_id
                while len(owner) > _MAX_OPEN_TOOL_CALLS:
                    owner.popitem(last=False)


def _set_messages(
    draft: CallDraft, messages: Sequence[BaseMessage], scope: RedactionScope | None
) -> None:
    if scope is not None:  # without a scope (redaction failed) the request is not recorded
        draft.messages = [freeze_message(message, scope) for message in messages]


def _set_response(draft: CallDraft, response: LLMResult, scope: RedactionScope | None) -> list[str]:
    """Snapshot the answer (redacted, or only its structure); return its tool-call ids."""
    message, text, info = first_generation(response)
    draft.finish_reason = finish_reason(message, info)
    draft.llm_output = response.llm_output
    if message is None:
        if scope is not None and text is not None:
            draft.text = scope.redact(text)
        return []
    if scope is None:
        draft.response = snapshot_structure(message)
    else:
        draft.response = freeze_message(message, scope)
    # Tool-call ids are structure: the snapshot holds them as the message does.
    calls = getattr(message, "tool_calls", None) or ()
    return [call["id"] for call in calls if isinstance(call, dict) and call.get("id")]


def _set_error(draft: Draft, error: BaseException, scope: RedactionScope | None) -> None:
    """Mark the run failed. The message may quote the prompt, so it is content."""
    draft.status = "error"
    draft.error_type = type(error).__name__
    if scope is not None:
        draft.error = scope.redact(str(error))


def _set_failure(
    draft: CallDraft, failure: tuple[BaseException, object], scope: RedactionScope | None
) -> None:
    """A failed call: the partial response LangChain may pass along, and the error."""
    error, partial = failure
    if isinstance(partial, LLMResult):
        _set_response(draft, partial, scope)
    _set_error(draft, error, scope)


def _set_tool_input(draft: ToolDraft, tool_input: Any, scope: RedactionScope | None) -> None:
    if scope is not None:
        draft.tool_input = redact_value(tool_input, scope)


def _set_tool_output(draft: ToolDraft, output: Any, scope: RedactionScope | None) -> None:
    if scope is not None:
        draft.output = redact_value(output, scope)
        draft.output_is_message = isinstance(output, BaseMessage)
        draft.has_output = True


def _finish(draft: Draft) -> None:
    draft.duration_ms = (time.perf_counter() - draft.t0) * 1000.0


def _finish_call(draft: CallDraft) -> None:
    _finish(draft)
    if draft.first_token is not None:
        draft.ttft_ms = (draft.first_token - draft.t0) * 1000.0
