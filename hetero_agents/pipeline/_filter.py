"""Which recorded calls are worth learning from: the LLM's good, complete answers.

A call is a training example only if the large model answered it, the answer
is there to read, and the answer is one we would want a small model to copy.
Each rejected call gets one reason (the first that applies, in the order of
:data:`DROP_REASONS`), so ``curate`` can say exactly what it threw away.

**Nested calls.** ``CallLogger`` records a chat model that calls another one
(a user's wrapper around its tiers, a fallback chain written as a model) as a
parent row plus one child row per inner call. ``ChatRouter`` itself calls its
tiers inside its own run, so it leaves one row per call, but wrapped models
and other routers do not. One logical call must give one example, and we keep
the **parent** (outermost) row: its request is exactly what the agent sent and
what a live ``ChatRouter`` in the same place embeds and routes, its answer is
the one the agent received, and its route (when a router made it) says which
tier served. A child's request may be a rewritten one (an added system prompt,
converted tools) that the router never sees. Children whose parent is in the
input are dropped as ``"nested"``; a child whose parent is not (purged, or
filtered out by the caller) is the only record of its call and is judged on
its own. A parent that recorded no tier takes the tier of its *last* child:
the model that answered last is the one whose answer was served (an SLM
answer rejected by a hand-written cascade is followed by the LLM's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hetero_agents.pipeline._dedupe import canonical_json
from hetero_agents.routing.context import RouteContext, normalize_tool_choice, response_schema_of
from hetero_agents.routing.validators import structured_output_valid, tool_calls_valid

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage

    from hetero_agents.logs.records import CallRecord

#: Every reason a call can be dropped for, in the order they are checked.
DROP_REASONS: tuple[str, ...] = (
    "error",  # the call raised: there is no answer
    "nested",  # an inner call of a logical call whose outer call is kept instead
    "no_content",  # recorded metadata-only, or encrypted and no key was given
    "not_llm",  # a small model answered: not a teacher
    "empty",  # no text and no tool call
    "truncated",  # stopped at max_tokens: an incomplete answer is a bad example
    "failed_validation",  # unbound tool, arguments or JSON that do not validate
)

_TRUNCATED = frozenset({"length", "max_tokens"})


class CallFilter:
    """Decides, for every call of one input, whether it is kept and if not why.

    Built over the whole input at once, because whether a call is nested, and
    which tier a wrapper served, depends on the other calls present.
    """

    def __init__(self, records: Sequence[CallRecord]) -> None:
        """Index the input's parent/child links."""
        self._ids = {record.id for record in records}
        # One list object per distinct tool set: the validators cache compiled schemas by
        # the identity of the list, so a fresh list per call would recompile every time.
        self._tool_sets: dict[str, list[dict[str, Any]]] = {}
        self._last_child: dict[str, CallRecord] = {}
        for record in records:
            parent = record.parent_call_id
            if parent is None:
                continue
            last = self._last_child.get(parent)
            if last is None or (last.datetime_utc, last.id) <= (record.datetime_utc, record.id):
                self._last_child[parent] = record

    def tier(self, record: CallRecord) -> str | None:
        """The tier that served ``record``: recorded, routed, else its last child's."""
        route_tier = (record.route or {}).get("tier")
        tier = record.tier or (route_tier if isinstance(route_tier, str) else None)
        if tier is None and record.id in self._last_child:
            return self.tier(self._last_child[record.id])
        return tier

    def drop_reason(self, record: CallRecord) -> str | None:
        """Why ``record`` is not a training example, or ``None`` to keep it."""
        if record.status != "ok":
            return "error"
        if record.parent_call_id is not None and record.parent_call_id in self._ids:
            return "nested"
        if not record.content_captured or record.messages is None:
            return "no_content"
        if record.response_message is None:
            return "no_content"
        if self.tier(record) not in (None, "llm"):
            return "not_llm"
        message = record.response_to_message()
        if message is None:
            return "no_content"
        tools = self._interned(record.tools)
        return answer_problem(message, tools, record.options, record.finish_reason)

    def _interned(self, tools: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        if not tools:
            return None
        return self._tool_sets.setdefault(canonical_json(tools), tools)


def answer_problem(
    message: AIMessage,
    tools: Sequence[Mapping[str, Any]] | None,
    options: Mapping[str, Any] | None,
    finish_reason: str | None,
) -> str | None:
    """The drop reason of an answer judged on its own, or ``None`` when it is good.

    The router's own validators (``routing/validators.py``) check it, with the
    context rebuilt from what the logger recorded (bound tools, ``tool_choice``
    and ``response_format`` among the call options), so logs of a plain LLM
    without any router are held to the same standard as a cascade's SLM answers.
    """
    has_calls = bool(message.tool_calls or message.invalid_tool_calls)
    if not has_calls and not message.text.strip():
        return "empty"
    if finish_reason in _TRUNCATED:
        return "truncated"
    opts = options or {}
    mode, forced = normalize_tool_choice(opts.get("tool_choice"))
    context = RouteContext(
        tools=tools or None,
        tool_choice=mode,
        forced_tool=forced,
        response_schema=response_schema_of(opts.get("response_format")),
    )
    if tool_calls_valid(message, context) or structured_output_valid(message, context):
        return "failed_validation"
    return None


__all__ = ["DROP_REASONS", "CallFilter", "answer_problem"]
