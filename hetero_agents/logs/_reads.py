"""The SQL behind ``LogStore``'s queries: rows in, typed records out.

Functions over one connection and an optional decrypt function, so the store
stays a documented facade. Every value reaches SQLite as a parameter; only our
own fixed fragments (and ``where_clause``'s placeholders) are formatted in.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from hetero_agents.errors import LogStoreError
from hetero_agents.logs._query import CallFilters, utc_text, where_clause
from hetero_agents.logs.records import (
    CallRecord,
    Decrypt,
    ShadowRecord,
    ToolRecord,
    call_from_row,
    shadow_from_row,
    tool_from_row,
)

_CHUNK = 500  # rows fetched (and tool runs attached) per round trip


def iter_calls(
    conn: sqlite3.Connection,
    decrypt: Decrypt | None,
    filters: CallFilters,
    *,
    limit: int | None,
    newest_first: bool,
    with_tool_runs: bool,
) -> Iterator[CallRecord]:
    """Calls matching ``filters`` in time order, fetched in chunks."""
    where, params = where_clause(filters)
    order = "DESC" if newest_first else "ASC"
    sql = f"SELECT * FROM calls {where} ORDER BY datetime_utc {order}, id {order}"  # noqa: S608
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    cursor = conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    while rows := cursor.fetchmany(_CHUNK):
        records = [call_from_row(dict(zip(columns, row, strict=True)), decrypt) for row in rows]
        yield from attach_tool_runs(conn, decrypt, records) if with_tool_runs else records


def count_calls(conn: sqlite3.Connection, filters: CallFilters) -> int:
    """How many calls match ``filters``."""
    where, params = where_clause(filters)
    (total,) = conn.execute(f"SELECT count(*) FROM calls {where}", params).fetchone()  # noqa: S608
    return int(total)


def find_call(conn: sqlite3.Connection, decrypt: Decrypt | None, call_id: str) -> CallRecord:
    """The call whose id is ``call_id`` or starts with it (ids are upper-case ULIDs).

    Raises:
        LogStoreError: No call, or more than one, matches.
    """
    prefix = call_id.strip().upper()
    cursor = conn.execute(
        "SELECT * FROM calls WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
        [prefix, prefix + "\uffff"],
    )
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if not rows:
        raise LogStoreError(f"no call with id {call_id!r}; `hetero-agents logs list` shows ids")
    if len(rows) > 1 and rows[0][0] != prefix:
        raise LogStoreError(f"{call_id!r} matches several calls; give more of the id")
    record = call_from_row(dict(zip(columns, rows[0], strict=True)), decrypt)
    return attach_tool_runs(conn, decrypt, [record])[0]


def tool_runs(
    conn: sqlite3.Connection, decrypt: Decrypt | None, call_id: str | None, limit: int | None
) -> list[ToolRecord]:
    """Tool runs in time order: those answering ``call_id``, or all of them."""
    sql = "SELECT * FROM tools"
    params: list[Any] = []
    if call_id is not None:
        sql += " WHERE call_id = ?"
        params.append(call_id)
    sql += " ORDER BY datetime_utc, id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return _tools(conn, decrypt, sql, params)


def attach_tool_runs(
    conn: sqlite3.Connection, decrypt: Decrypt | None, records: list[CallRecord]
) -> list[CallRecord]:
    """The records with their ``tool_runs`` filled, in one query for the whole list."""
    if not records:
        return records
    ids = [record.id for record in records]
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT * FROM tools WHERE call_id IN ({marks}) ORDER BY datetime_utc, id"  # noqa: S608
    by_call: dict[str, list[ToolRecord]] = {}
    for run in _tools(conn, decrypt, sql, ids):
        by_call.setdefault(run.call_id or "", []).append(run)
    return [
        replace(record, tool_runs=tuple(by_call[record.id])) if record.id in by_call else record
        for record in records
    ]


def shadow_results(
    conn: sqlite3.Connection,
    decrypt: Decrypt | None,
    task: str | None,
    since: datetime | str | None,
    until: datetime | str | None,
) -> list[ShadowRecord]:
    """Shadow comparisons in time order, optionally for one task or time range."""
    clauses: list[str] = []
    params: list[Any] = []
    if task is not None:
        clauses.append("task = ?")
        params.append(task)
    if since is not None:
        clauses.append("datetime_utc >= ?")
        params.append(utc_text(since))
    if until is not None:
        clauses.append("datetime_utc < ?")
        params.append(utc_text(until))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT * FROM shadows {where} ORDER BY datetime_utc, id"  # noqa: S608
    cursor = conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [
        shadow_from_row(dict(zip(columns, row, strict=True)), decrypt) for row in cursor.fetchall()
    ]


def _tools(
    conn: sqlite3.Connection, decrypt: Decrypt | None, sql: str, params: Sequence[Any]
) -> list[ToolRecord]:
    cursor = conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [
        tool_from_row(dict(zip(columns, row, strict=True)), decrypt) for row in cursor.fetchall()
    ]
