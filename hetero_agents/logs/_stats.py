"""``logs stats``: calls, tokens, cost and latency percentiles by node, model, tier and tool.

A *logical call* is a row not made from inside another call. When a chat model
calls others (the router and its tiers, including a cascade's failed SLM try),
the outer row is the logical call and its tokens and cost are the sum of the
inner rows, so nothing is counted twice and no escalation is hidden.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from hetero_agents.logs._query import CallFilters, utc_text, where_clause

_CALLS_SQL = """
WITH inner_calls AS (
    SELECT parent_call_id AS id,
           sum(input_tokens) AS input_tokens,
           sum(output_tokens) AS output_tokens,
           sum(cost_usd) AS cost_usd,
           count(*) - count(cost_usd) AS unpriced
    FROM calls WHERE parent_call_id IS NOT NULL GROUP BY parent_call_id
)
SELECT c.node, c.model, c.tier, c.status, c.duration_ms,
       CASE WHEN c.n_children > 0 THEN i.input_tokens ELSE c.input_tokens END,
       CASE WHEN c.n_children > 0 THEN i.output_tokens ELSE c.output_tokens END,
       CASE WHEN c.n_children > 0 THEN i.cost_usd ELSE c.cost_usd END,
       CASE WHEN c.n_children > 0 THEN i.unpriced ELSE c.cost_usd IS NULL END,
       c.datetime_utc
FROM calls AS c LEFT JOIN inner_calls AS i ON i.id = c.id
{where}
"""
_TOOLS_SQL = "SELECT t.name, t.status, t.duration_ms FROM tools AS t {where}"
_SHADOW_SQL = """
SELECT s.task, count(*), sum(s.agreed), sum(s.agreed IS NULL)
FROM shadows AS s {where} GROUP BY s.task ORDER BY count(*) DESC
"""


@dataclass(frozen=True, slots=True)
class GroupStats:
    """Aggregates over one group of logical calls (or tool runs)."""

    key: str | None
    calls: int
    errors: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    """Summed over calls with a known price; ``None`` if no call had one."""
    unpriced: int
    """Calls whose cost is unknown (unknown model or no usage reported)."""
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True, slots=True)
class HealthCount:
    """A logger failure counter persisted by the writers (all processes together)."""

    count: int
    last_message: str | None
    last_utc: str | None


@dataclass(frozen=True, slots=True)
class ShadowAgreement:
    """How often the shadow tier agreed with the served one, for one task."""

    task: str | None
    compared: int
    agreed: int
    errors: int

    @property
    def agreement(self) -> float | None:
        """Share of completed comparisons that agreed (``None`` before any)."""
        done = self.compared - self.errors
        return self.agreed / done if done else None


@dataclass(frozen=True, slots=True)
class CaptureStats:
    """Everything ``hetero-agents logs stats`` shows."""

    total: GroupStats
    by_node: list[GroupStats]
    by_model: list[GroupStats]
    by_tier: list[GroupStats]
    by_tool: list[GroupStats]
    health: dict[str, HealthCount] = field(default_factory=dict)
    shadow: list[ShadowAgreement] = field(default_factory=list)
    first_utc: str | None = None
    last_utc: str | None = None


# status, duration_ms, input tokens, output tokens, cost, calls without a price
_Row = tuple[str, float | None, int | None, int | None, float | None, int | None]


@dataclass(slots=True)
class _Acc:
    calls: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    priced: int = 0
    unpriced: int = 0
    durations: list[float] = field(default_factory=list)

    def add(self, row: _Row) -> None:
        status, duration, tokens_in, tokens_out, cost, unpriced = row
        self.calls += 1
        self.errors += status != "ok"
        self.input_tokens += tokens_in or 0
        self.output_tokens += tokens_out or 0
        if cost is not None:
            self.cost += cost
            self.priced += 1
        self.unpriced += unpriced or 0
        if duration is not None:
            self.durations.append(duration)

    def result(self, key: str | None) -> GroupStats:
        ordered = sorted(self.durations)
        return GroupStats(
            key=key,
            calls=self.calls,
            errors=self.errors,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cost_usd=self.cost if self.priced else None,
            unpriced=self.unpriced,
            p50_ms=percentile(ordered, 50),
            p95_ms=percentile(ordered, 95),
        )


def percentile(ordered: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of an ascending list (``None`` when empty)."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def compute(conn: sqlite3.Connection, filters: CallFilters) -> CaptureStats:
    """Aggregate the logical calls matching ``filters``, and the tool runs in the same range."""
    where, params = where_clause({**filters, "top_level": True}, alias="c")
    total = _Acc()
    groups: dict[int, dict[str | None, _Acc]] = {i: defaultdict(_Acc) for i in range(3)}
    first: str | None = None
    last: str | None = None
    for node, model, tier, status, duration, t_in, t_out, cost, unpriced, when in conn.execute(
        _CALLS_SQL.format(where=where), params
    ):
        row: _Row = (status, duration, t_in, t_out, cost, unpriced)
        total.add(row)
        for index, key in enumerate((node, model, tier)):
            groups[index][key].add(row)
        first = when if first is None or when < first else first
        last = when if last is None or when > last else last
    return CaptureStats(
        total=total.result(None),
        by_node=_ranked(groups[0]),
        by_model=_ranked(groups[1]),
        by_tier=_ranked(groups[2]),
        by_tool=_tool_stats(conn, filters),
        health=health(conn),
        shadow=_shadow_stats(conn, filters),
        first_utc=first,
        last_utc=last,
    )


def health(conn: sqlite3.Connection) -> dict[str, HealthCount]:
    """The persisted logger failure counters."""
    rows = conn.execute("SELECT name, count, last_message, last_utc FROM capture_health")
    return {name: HealthCount(count, message, at) for name, count, message, at in rows}


def _time_range(filters: CallFilters, alias: str) -> tuple[str, list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    for op, moment in ((">=", filters.get("since")), ("<", filters.get("until"))):
        if moment is not None:
            clauses.append(f"{alias}.datetime_utc {op} ?")
            params.append(utc_text(moment))
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _shadow_stats(conn: sqlite3.Connection, filters: CallFilters) -> list[ShadowAgreement]:
    where, params = _time_range(filters, "s")
    rows = conn.execute(_SHADOW_SQL.format(where=where), params)
    return [ShadowAgreement(task, n, agreed or 0, errors or 0) for task, n, agreed, errors in rows]


def _tool_stats(conn: sqlite3.Connection, filters: CallFilters) -> list[GroupStats]:
    where, params = _time_range(filters, "t")
    groups: dict[str | None, _Acc] = defaultdict(_Acc)
    for name, status, duration in conn.execute(_TOOLS_SQL.format(where=where), params):
        groups[name].add((status, duration, None, None, None, 0))
    return _ranked(groups)


def _ranked(groups: dict[str | None, _Acc]) -> list[GroupStats]:
    stats: Iterable[GroupStats] = (acc.result(key) for key, acc in groups.items())
    return sorted(stats, key=lambda s: (-s.calls, s.key or ""))
