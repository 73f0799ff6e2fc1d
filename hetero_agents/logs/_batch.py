"""One batch of rows -> one SQLite transaction, with retries and a row-by-row fallback.

The writer thread hands each batch here. A batch that meets a locked database
(another process is writing) is retried with backoff; a batch that fails for a
row-level reason (a bad value, a trigger, a full disk mid-batch) is retried row
by row inside savepoints, so one bad row costs one row. Nothing raises out of
:meth:`BatchCommitter.write`: failures go to :class:`CaptureHealth`, and the
health counts are committed in the same transaction as the rows.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from hetero_agents.logs._crypto import ContentCipher
from hetero_agents.logs._encode import RowEncoder
from hetero_agents.logs._health import (
    HANDLER_ERRORS,
    WRITE_FAILED,
    WRITE_RETRIES,
    CaptureHealth,
)
from hetero_agents.logs._rows import CALLS, COLUMNS

Row = dict[str, Any]
HealthRow = tuple[str, int, str | None, str]

# Encoding is pure Python and holds the GIL; yielding every few rows keeps the
# agent's threads from waiting a whole switch interval (5 ms) behind the writer.
_YIELD_EVERY = 64
_LAST_CALL_ROWID = "SELECT coalesce(max(rowid), 0) FROM calls"
# Our BEGIN IMMEDIATE transaction is the only writer, so rows above the old maximum
# rowid are this batch. Encrypted rows hold ciphertext and stay out of the index.
_INDEX_NEW_CALLS = (
    "INSERT INTO calls_fts (rowid, prompt, response) "
    "SELECT rowid, prompt, response FROM calls WHERE rowid > ? AND coalesce(encrypted, 0) = 0"
)
_HEALTH_UPSERT = (
    "INSERT INTO capture_health (name, count, last_message, last_utc) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(name) DO UPDATE SET count = count + excluded.count, "
    "last_message = coalesce(excluded.last_message, last_message), last_utc = excluded.last_utc"
)


class BatchCommitter:
    """Writes batches of row dicts into the log database from the writer thread."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        *,
        health: CaptureHealth,
        cipher: ContentCipher | None,
        retry_for: float,
    ) -> None:
        """Prepare to write.

        Args:
            connect: Opens a connection (on first use, and again after an error closed it).
            health: Where failures are counted.
            cipher: Encrypts content columns when given.
            retry_for: How long a batch is retried while the database is locked.
        """
        self._connect = connect
        self._health = health
        self._encoder = RowEncoder(cipher)
        self._retry_for = retry_for
        self._conn: sqlite3.Connection | None = None

    def write(self, rows: list[tuple[str, Row]]) -> None:
        """Commit ``rows`` (and pending health counts); failures are counted, not raised."""
        grouped: dict[str, list[list[Any]]] = {table: [] for table in COLUMNS}
        for index, (table, row) in enumerate(rows):
            if index % _YIELD_EVERY == _YIELD_EVERY - 1:
                time.sleep(0)  # hand the GIL back: the agent's threads come first
            try:
                grouped[table].append(self._encoder.encode(table, row))
            except Exception as exc:
                self._health.record(HANDLER_ERRORS, 1, exc)
        health = self._health.take_unpersisted()
        if not rows and not health:
            return
        try:
            self._commit(grouped, health)
        except sqlite3.Error as exc:
            self._health.give_back(health)
            if _is_locked(exc):
                self._health.record(WRITE_FAILED, sum(map(len, grouped.values())), exc)
            else:
                self._commit_row_by_row(grouped, exc)

    def _commit(self, grouped: dict[str, list[list[Any]]], health: list[HealthRow]) -> None:
        """Commit everything in one transaction, retrying while another writer holds the lock."""
        deadline = time.monotonic() + self._retry_for
        delay = 0.01
        while True:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                self._insert(conn, grouped)
                if health:
                    conn.executemany(_HEALTH_UPSERT, health)
                conn.execute("COMMIT")
                return
            except sqlite3.Error as exc:
                _rollback(conn)
                if not _is_locked(exc) or time.monotonic() >= deadline:
                    raise
                self._health.record(WRITE_RETRIES)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _insert(self, conn: sqlite3.Connection, grouped: dict[str, list[list[Any]]]) -> None:
        """Insert a batch, then index its calls for search in one statement.

        One ``INSERT ... SELECT`` into the FTS table per batch costs a tenth of
        a per-row trigger; the delete and update triggers keep the index right
        for everything else (purge, edits in datasette).
        """
        (last_rowid,) = conn.execute(_LAST_CALL_ROWID).fetchone()
        for table, values in grouped.items():
            if values:
                conn.executemany(self._encoder.sql(table), values)
        if grouped[CALLS]:
            conn.execute(_INDEX_NEW_CALLS, (last_rowid,))

    def _commit_row_by_row(
        self, grouped: dict[str, list[list[Any]]], batch_error: sqlite3.Error
    ) -> None:
        """Keep every row that can be written when a batch fails for a row-level reason."""
        total = sum(map(len, grouped.values()))
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._health.record(WRITE_FAILED, total, exc)
            self.close()
            return
        failed = 0
        last_error: BaseException = batch_error
        (last_rowid,) = conn.execute(_LAST_CALL_ROWID).fetchone()
        for table, tuples in grouped.items():
            for values in tuples:
                try:
                    conn.execute("SAVEPOINT row")
                    conn.execute(self._encoder.sql(table), values)
                    conn.execute("RELEASE row")
                except sqlite3.Error as exc:
                    failed += 1
                    last_error = exc
                    conn.execute("ROLLBACK TO row")
                    conn.execute("RELEASE row")
        if failed:
            self._health.record(WRITE_FAILED, failed, last_error)
        health = self._health.take_unpersisted()  # the failures are persisted with the rows
        try:
            conn.execute(_INDEX_NEW_CALLS, (last_rowid,))
            if health:
                conn.executemany(_HEALTH_UPSERT, health)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            self._health.give_back(health)
            self._health.record(WRITE_FAILED, total - failed, exc)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = self._connect()
        return self._conn

    def forget_connection(self) -> None:
        """Drop the connection without closing it: in a forked child it belongs to the parent."""
        self._conn = None

    def close(self) -> None:
        """Close the connection (a later batch reopens it)."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None


def connect_for_writing(path: os.PathLike[str] | str, busy_timeout: float) -> sqlite3.Connection:
    """A connection for the writer thread: autocommit mode, WAL, ``synchronous=NORMAL``.

    WAL with NORMAL means a commit survives a crash of the process (SIGKILL
    included), though not of the operating system, without an fsync per batch.
    """
    conn = sqlite3.connect(
        str(path),
        timeout=busy_timeout,
        isolation_level=None,  # the writer issues BEGIN IMMEDIATE / COMMIT itself
        check_same_thread=False,
    )
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    return conn


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _rollback(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
