"""Call filters -> a parameterised SQL ``WHERE`` clause (values never enter the SQL text)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict


class CallFilters(TypedDict, total=False):
    """Keyword filters accepted by every :class:`LogStore` query.

    A string filter also accepts a list of values (any of them matches).
    Naive datetimes are taken as UTC; ISO strings are accepted too.
    """

    since: datetime | str
    """Calls that started at or after this time."""
    until: datetime | str
    """Calls that started before this time."""
    node: str | Sequence[str]
    model: str | Sequence[str]
    tier: str | Sequence[str]
    status: str | Sequence[str]
    task: str | Sequence[str]
    thread_id: str | Sequence[str]
    search: str
    """An FTS5 query over prompt and response text (``"refund NOT invoice"``)."""
    top_level: bool
    """``True``: only calls not made from inside another call (one per logical call)."""


_EQUALITY = ("node", "model", "tier", "status", "task", "thread_id")
_KNOWN = frozenset((*_EQUALITY, "since", "until", "search", "top_level"))


def where_clause(filters: CallFilters, alias: str = "calls") -> tuple[str, list[Any]]:
    """Build ``"WHERE ..."`` (or ``""``) and its parameters for a query over ``calls``.

    Raises:
        TypeError: An unknown filter name (a typo must not silently match everything).
    """
    unknown = set(filters) - _KNOWN
    if unknown:
        raise TypeError(f"unknown call filter(s): {', '.join(sorted(unknown))}")
    clauses: list[str] = []
    params: list[Any] = []
    since, until = filters.get("since"), filters.get("until")
    if since is not None:
        clauses.append(f"{alias}.datetime_utc >= ?")
        params.append(utc_text(since))
    if until is not None:
        clauses.append(f"{alias}.datetime_utc < ?")
        params.append(utc_text(until))
    for column in _EQUALITY:
        value: str | Sequence[str] | None = filters.get(column)  # type: ignore[assignment]
        if value is None:
            continue
        values = [value] if isinstance(value, str) else list(value)
        clauses.append(f"{alias}.{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)
    search = filters.get("search")
    if search:
        fts = "SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?"
        clauses.append(f"{alias}.rowid IN ({fts})")
        params.append(search)
    top_level = filters.get("top_level")
    if top_level is not None:
        clauses.append(f"{alias}.parent_call_id IS {'NULL' if top_level else 'NOT NULL'}")
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def utc_text(moment: datetime | str) -> str:
    """A time as the ISO text the ``datetime_utc`` columns hold, so text order is time order."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def cutoff(older_than: datetime | timedelta | str) -> str:
    """The ``datetime_utc`` before which rows are "older than" a time or an age."""
    if isinstance(older_than, timedelta):
        return utc_text(datetime.now(UTC) - older_than)
    return utc_text(older_than)
