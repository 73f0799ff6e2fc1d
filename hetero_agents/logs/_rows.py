"""The columns the logger writes, in insert order: one source of truth for the writer.

Migrations spell their DDL out in full (a migration must never change after it
ships); these tuples describe the *current* schema, and the migration test
checks that the two agree.

Calls and tool runs travel from the calling thread to the writer as drafts
(``_drafts.py``) that the writer shapes into rows keyed by column name; shadow
rows travel as such dicts directly. ``datetime_utc`` is a ``time.time()``
float until the encoder writes it as text.
"""

from __future__ import annotations

CALLS = "calls"
TOOLS = "tools"
SHADOWS = "shadows"

CALL_COLUMNS: tuple[str, ...] = (
    "id",
    "datetime_utc",
    "duration_ms",
    "ttft_ms",
    "run_id",
    "parent_run_id",
    "parent_call_id",
    "n_children",
    "thread_id",
    "node",
    "step",
    "task",
    "tier",
    "model",
    "provider",
    "route_policy",
    "route_score",
    "route_reason",
    "escalated",
    "escalation_reason",
    "route_json",
    "messages_json",
    "tools_json",
    "options_json",
    "prompt",
    "response",
    "tool_calls_json",
    "finish_reason",
    "response_json",
    "input_tokens",
    "output_tokens",
    "usage_json",
    "cost_usd",
    "status",
    "error_type",
    "error",
    "streamed",
    "tags_json",
    "metadata_json",
    "content_captured",
    "encrypted",
)

TOOL_COLUMNS: tuple[str, ...] = (
    "id",
    "datetime_utc",
    "duration_ms",
    "call_id",
    "tool_call_id",
    "run_id",
    "parent_run_id",
    "thread_id",
    "node",
    "step",
    "task",
    "name",
    "input_json",
    "output",
    "output_json",
    "status",
    "error_type",
    "error",
    "tags_json",
    "metadata_json",
    "content_captured",
    "encrypted",
)

SHADOW_COLUMNS: tuple[str, ...] = (
    "id",
    "datetime_utc",
    "call_id",
    "run_id",
    "task",
    "node",
    "served_tier",
    "served_model",
    "shadow_tier",
    "shadow_model",
    "agreed",
    "similarity",
    "kind",
    "error",
    "duration_ms",
    "encrypted",
)

# Columns that hold what was said (prompts, answers, tool arguments and results,
# error text that may quote them): dropped by ``capture_content=False`` and
# encrypted at rest when the store has a key. Everything else is metadata.
CALL_CONTENT_COLUMNS: frozenset[str] = frozenset(
    {
        "messages_json",
        "tools_json",
        "prompt",
        "response",
        "tool_calls_json",
        "response_json",
        "error",
    }
)
TOOL_CONTENT_COLUMNS: frozenset[str] = frozenset({"input_json", "output", "output_json", "error"})

SHADOW_CONTENT_COLUMNS: frozenset[str] = frozenset({"error"})

COLUMNS: dict[str, tuple[str, ...]] = {
    CALLS: CALL_COLUMNS,
    TOOLS: TOOL_COLUMNS,
    SHADOWS: SHADOW_COLUMNS,
}
CONTENT_COLUMNS: dict[str, frozenset[str]] = {
    CALLS: CALL_CONTENT_COLUMNS,
    TOOLS: TOOL_CONTENT_COLUMNS,
    SHADOWS: SHADOW_CONTENT_COLUMNS,
}
