"""Row dicts -> SQL parameter lists, on the writer thread.

Drafts of calls and tool runs arrive *ready* (``_calls.py``): only their
non-NULL columns, JSON already as text. :meth:`RowEncoder.encode_ready` binds
them as they are, with one cached ``INSERT`` per set of columns. Other rows
(shadow results) take :meth:`RowEncoder.encode`, which makes such a ready row
from a row dict (JSON columns serialised, NULLs left out) and binds it the same way.

Encoding is most of the writer's Python time, so the two costly steps have fast
paths that write exactly what the plain path would:

* JSON goes through ``orjson`` when it is installed (it is on CPython: LangSmith,
  which ``langchain-core`` requires, depends on it), about five times faster
  than the standard library's encoder, falling back to the standard library for
  whatever ``orjson`` refuses (integers beyond 64 bits, nesting deeper than 254
  levels). Options make it match the standard encoder's ``default=str``:
  datetimes and dataclasses go through ``str``, non-string keys become strings,
  and float subclasses (``numpy.float64`` scores) stay numbers. Two differences
  remain, both in values JSON itself cannot hold: ``NaN`` and ``±Infinity`` are
  written as ``null`` (the standard encoder writes the non-standard ``NaN``
  token), and a plain ``Enum`` member is written as its value rather than its
  ``str()``.
* The ISO-8601 timestamp reuses the formatted seconds of the previous row (rows
  arrive in bursts within one second) and only formats the microseconds.

Binding is the other large cost, and NULLs dominate it: CPython's ``sqlite3``
(3.11) sends every ``None`` parameter through its adaptation protocol (a dict
lookup and two failed attribute lookups), about ten times the cost of binding an
integer, and a typical call row leaves half of its 41 columns NULL. So a row is
inserted with a statement naming only its non-NULL columns; the others take
their default, which is NULL because no logged column declares a ``DEFAULT``
(the migration tests hold the schema to that). Rows of one shape share one
cached statement, so a batch is still a handful of ``executemany`` calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hetero_agents.logs._crypto import ContentCipher
from hetero_agents.logs._rows import COLUMNS, CONTENT_COLUMNS

# One encoder for every value: ``json.dumps`` with options builds a new one per call.
_STDLIB_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _stdlib_dumps(value: Any) -> str:
    return _STDLIB_JSON.encode(value)


def _orjson_default(value: Any) -> Any:
    # orjson serialises exact floats only; the standard encoder writes any float
    # subclass (numpy.float64 similarity scores) as a number, not a string.
    if isinstance(value, float):
        return float(value)
    return str(value)


def _make_fast_dumps() -> Callable[[Any], str]:
    try:
        import orjson
    except ImportError:  # PyPy, or an install without LangSmith's dependencies
        return _stdlib_dumps
    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    options |= orjson.OPT_PASSTHROUGH_DATACLASS
    dumps, refused = orjson.dumps, orjson.JSONEncodeError

    def fast_dumps(value: Any) -> str:
        try:
            return dumps(value, default=_orjson_default, option=options).decode()
        except refused:
            return _stdlib_dumps(value)

    return fast_dumps


#: Compact JSON text of ``value`` (``ensure_ascii=False``, unknown types via ``str``).
dumps_json: Callable[[Any], str] = _make_fast_dumps()


def _make_json_snapshots() -> (
    tuple[Callable[[Any], bytes], Callable[[bytes], Any], Callable[[Any], Any]] | None
):
    try:
        import orjson
    except ImportError:
        return None
    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    options |= orjson.OPT_PASSTHROUGH_DATACLASS
    dumps, loads = orjson.dumps, orjson.loads

    def freeze(value: Any) -> bytes:
        return dumps(value, default=_orjson_default, option=options)

    def copy(value: Any) -> Any:
        return loads(dumps(value, default=_orjson_default, option=options))

    return freeze, loads, copy


_SNAPSHOTS = _make_json_snapshots()

# Without orjson (PyPy) json_freeze and json_copy are ``None``: snapshots take the
# pure-Python path, and nothing is ever frozen.
#: ``value`` as the JSON :data:`dumps_json` would write, in UTF-8 bytes: an immutable
#: snapshot made in one call into C. Raises ``orjson.JSONEncodeError`` (a ``TypeError``)
#: on what only the standard encoder writes (integers beyond 64 bits).
json_freeze: Callable[[Any], bytes] | None = _SNAPSHOTS[0] if _SNAPSHOTS else None
#: The JSON values a :data:`json_freeze` snapshot holds.
json_thaw: Callable[[bytes], Any] = _SNAPSHOTS[1] if _SNAPSHOTS else json.loads
#: A deep copy of ``value`` made of JSON values, in C: :data:`json_freeze`, thawed.
json_copy: Callable[[Any], Any] | None = _SNAPSHOTS[2] if _SNAPSHOTS else None


def utc_text_slow(stamp: float) -> str:
    """``stamp`` (seconds since the epoch) as ISO-8601 UTC text with microseconds."""
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="microseconds")


class _Plan:
    __slots__ = ("columns", "content", "json", "statements", "table")

    def __init__(self, table: str, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.json = frozenset(c for c in columns if c.endswith("_json"))
        self.content = CONTENT_COLUMNS[table]
        self.table = table
        self.statements: dict[tuple[str, ...], str] = {}

    def statement(self, names: tuple[str, ...]) -> str:
        """The ``INSERT`` naming ``names``, in that order (cached per shape)."""
        sql = self.statements.get(names)
        if sql is None:
            unknown = set(names) - set(self.columns)
            if unknown:  # names become SQL text: only our own columns may
                raise ValueError(f"not a column of {self.table}: {sorted(unknown)}")
            marks = ", ".join("?" * len(names))
            # Table and column names are our constants; every value is a parameter.
            sql = f"INSERT INTO {self.table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
            self.statements[names] = sql
        return sql


class RowEncoder:
    """Turns the logger's row dicts into inserts, encrypting content if asked.

    Not thread-safe (it caches the last formatted second): the writer thread owns it.
    """

    def __init__(self, cipher: ContentCipher | None) -> None:
        """Plan every table once.

        Args:
            cipher: Encrypts the content columns when given (and marks the row encrypted).
        """
        self._cipher = cipher
        self._plans = {table: _Plan(table, columns) for table, columns in COLUMNS.items()}
        self._second = -1
        self._second_text = ""

    def encode(self, table: str, row: dict[str, Any]) -> tuple[str, list[Any]]:
        """The ``INSERT`` for ``row``'s non-NULL columns, and their values in column order.

        JSON columns are serialised and the time becomes ISO-8601 UTC text; columns
        that are missing from ``row`` or ``None`` are left out (they are stored as NULL).
        """
        plan = self._plans[table]
        json_columns = plan.json
        ready: dict[str, Any] = {}
        for column in plan.columns:
            value = row.get(column)
            if value is not None:
                ready[column] = dumps_json(value) if column in json_columns else value
        return self.encode_ready(table, ready)

    def encode_ready(self, table: str, row: dict[str, Any]) -> tuple[str, list[Any]]:
        """The ``INSERT`` for a ready row (a draft's): its columns are exactly its keys.

        A ready row holds only columns that are not NULL, with JSON already as text;
        what is left here is the timestamp, encryption, and the statement.
        """
        plan = self._plans[table]
        names = tuple(row)
        values = list(row.values())
        values[names.index("datetime_utc")] = self.utc_text(row["datetime_utc"])
        cipher = self._cipher
        if cipher is not None:
            content = plan.content
            for index, name in enumerate(names):
                if name in content and values[index] is not None:
                    values[index] = cipher.encrypt(values[index])
            if "encrypted" in row:
                values[names.index("encrypted")] = 1
            else:
                names += ("encrypted",)
                values.append(1)
        return plan.statement(names), values

    def utc_text(self, stamp: float) -> str:
        """The same text as :func:`utc_text_slow`, reusing the last row's formatted second.

        ``datetime.fromtimestamp`` rounds the fraction to microseconds half-to-even;
        ``round`` on the exact fraction does the same. A fraction that rounds up to a
        whole second, and times before the epoch, take the slow path.
        """
        second = int(stamp)
        micros = round((stamp - second) * 1_000_000)
        if micros >= 1_000_000 or stamp < 0:
            return utc_text_slow(stamp)
        if second != self._second:
            self._second_text = datetime.fromtimestamp(second, UTC).isoformat()[:19]
            self._second = second
        return f"{self._second_text}.{micros:06d}+00:00"
