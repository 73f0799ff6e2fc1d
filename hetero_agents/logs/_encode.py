"""Row dicts -> SQL parameter lists, on the writer thread.

Each table gets a plan computed once (which positions are JSON, which is the
timestamp, which hold content to encrypt), so encoding a row is one list
comprehension plus a few in-place fixes instead of per-column string tests.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hetero_agents.logs._crypto import ContentCipher
from hetero_agents.logs._rows import COLUMNS, CONTENT_COLUMNS

# One encoder for every value: ``json.dumps`` with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


class _Plan:
    __slots__ = ("columns", "content", "encrypted", "json", "sql", "time")

    def __init__(self, table: str, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.json = [i for i, c in enumerate(columns) if c.endswith("_json")]
        self.time = columns.index("datetime_utc")
        self.content = [i for i, c in enumerate(columns) if c in CONTENT_COLUMNS[table]]
        self.encrypted = columns.index("encrypted")
        marks = ", ".join("?" * len(columns))
        # Table and column names are our constants; every value is a parameter.
        self.sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


class RowEncoder:
    """Turns the logger's row dicts into insert parameters, encrypting content if asked."""

    def __init__(self, cipher: ContentCipher | None) -> None:
        """Plan every table once.

        Args:
            cipher: Encrypts the content columns when given (and marks the row encrypted).
        """
        self._cipher = cipher
        self._plans = {table: _Plan(table, columns) for table, columns in COLUMNS.items()}

    def sql(self, table: str) -> str:
        """The parameterised ``INSERT`` of ``table``."""
        return self._plans[table].sql

    def encode(self, table: str, row: dict[str, Any]) -> list[Any]:
        """The values of ``row`` in insert order: JSON serialised, time as ISO-8601 UTC text."""
        plan = self._plans[table]
        get = row.get
        values: list[Any] = [get(column) for column in plan.columns]
        encode = _JSON.encode
        for index in plan.json:
            value = values[index]
            if value is not None:
                values[index] = encode(value)
        stamp: float = row["datetime_utc"]
        values[plan.time] = datetime.fromtimestamp(stamp, UTC).isoformat(timespec="microseconds")
        cipher = self._cipher
        if cipher is not None:
            for index in plan.content:
                value = values[index]
                if value is not None:
                    values[index] = cipher.encrypt(value)
            values[plan.encrypted] = 1
        return values
