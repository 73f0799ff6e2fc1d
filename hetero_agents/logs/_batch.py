"""One batch of rows -> one SQLite transaction, with retries and a row-by-row fallback.

The writer thread hands each batch here. A batch that meets a locked database
(another process is writing) is retried with backoff; a batch that fails for a
row-level reason (a bad value, a trigger, a full disk mid-batch) is retried row
by row inside savepoints, so one bad row costs one row. Nothing raises out of
:meth:`BatchCommitter.write`: failures go to :class:`CaptureHealth`, and the
health counts are committed in the same transaction as the rows.

The tail of each transaction (indexing the batch for search, then ``COMMIT``
and the WAL checkpoints it triggers) is almost half of a batch's cost, and all
of it runs inside SQLite with the GIL released. So while a backlog lasts, it
runs on a short-lived helper thread as the writer thread encodes the next
batch, and the two use both cores. Transactions still run one at a time on one
connection: :meth:`BatchCommitter.write` waits for the previous tail before it
begins, and :meth:`BatchCommitter.settle` waits for the last one (the writer
calls it before it idles). Without a backlog a batch commits on the writer
thread itself.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from hetero_agents.logs._crypto import ContentCipher
from hetero_agents.logs._encode import RowEncoder
from hetero_agents.logs._health import (
    HANDLER_ERRORS,
    WRITE_FAILED,
    WRITE_RETRIES,
    CaptureHealth,
)

Row = dict[str, Any]


class RowDraft(Protocol):
    """A row the agent's thread queued unshaped (see ``_drafts.py``): shaped here."""

    def build(self) -> Row:
        """The row, ready to insert: its non-NULL columns, JSON as text."""
        ...

    def salvage(self) -> Row:
        """The row that needs no shaping, for when :meth:`build` fails."""
        ...


#: What the agent's threads queue: a finished row dict (shadow rows), or a draft.
Queued = Row | RowDraft
#: A batch's encoded rows in submission order, consecutive rows of one shape (table and
#: non-NULL columns) sharing their ``INSERT``, so rowids keep the order rows were logged in.
Grouped = list[tuple[str, list[list[Any]]]]
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
    """Shapes, encodes and writes batches of rows into the log database (writer thread)."""

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
        self._tail: _Tail | None = None

    def write(self, rows: list[tuple[str, Queued]], *, overlap: bool = False) -> None:
        """Commit ``rows`` (and pending health counts); failures are counted, not raised.

        Args:
            rows: The batch, as ``(table, row or draft)`` pairs in the order they were logged.
            overlap: More rows are waiting: end this transaction on a helper thread
                and return once the rows are inserted, so the next batch can be
                encoded meanwhile (see :meth:`settle`). Otherwise return once committed.
        """
        grouped = self._encode(rows)
        self.settle()  # the previous transaction ends before this one begins
        health = self._health.take_unpersisted()
        if not rows and not health:
            return
        try:
            conn, last_rowid = self._begin_and_insert(grouped, health)
        except sqlite3.Error as exc:
            self._health.give_back(health)
            self._keep_what_can_be_kept(grouped, exc)
            return
        tail = _Tail(conn, last_rowid, grouped, health)
        if overlap:
            tail.start()
            self._tail = tail
        else:
            tail.run()
            self._conclude(tail)

    def settle(self) -> None:
        """Wait until an overlapped transaction has ended; on failure, save what can be."""
        tail, self._tail = self._tail, None
        if tail is not None:
            tail.join()
            self._conclude(tail)

    def _conclude(self, tail: _Tail) -> None:
        if tail.error is None:
            return
        self._health.give_back(tail.health)
        if isinstance(tail.error, sqlite3.Error):
            self._keep_what_can_be_kept(tail.grouped, tail.error)
        else:
            self._health.record(WRITE_FAILED, _count(tail.grouped), tail.error)

    def _encode(self, rows: list[tuple[str, Queued]]) -> Grouped:
        grouped: Grouped = []
        last_sql = ""
        for index, (table, queued) in enumerate(rows):
            if index % _YIELD_EVERY == _YIELD_EVERY - 1:
                time.sleep(0)  # hand the GIL back: the agent's threads come first
            try:
                if isinstance(queued, dict):
                    sql, values = self._encoder.encode(table, queued)
                else:
                    sql, values = self._encoder.encode_ready(table, self._build(queued))
            except Exception as exc:
                self._health.record(HANDLER_ERRORS, 1, exc)
                continue
            if sql == last_sql:
                grouped[-1][1].append(values)
            else:
                grouped.append((sql, [values]))
                last_sql = sql
        return grouped

    def _build(self, draft: RowDraft) -> Row:
        """Shape a draft into its row; one that cannot be shaped keeps its bare metadata."""
        try:
            return draft.build()
        except Exception as exc:
            self._health.record(HANDLER_ERRORS, 1, exc)
            return draft.salvage()

    def _begin_and_insert(
        self, grouped: Grouped, health: list[HealthRow]
    ) -> tuple[sqlite3.Connection, int]:
        """Open the batch's transaction and insert everything, retrying while locked.

        Returns:
            The connection, inside the open transaction, and the highest ``calls``
            rowid before the batch (the search index picks up the rows above it).
        """
        deadline = time.monotonic() + self._retry_for
        delay = 0.01
        while True:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                (last_rowid,) = conn.execute(_LAST_CALL_ROWID).fetchone()
                for sql, values in grouped:
                    conn.executemany(sql, values)
                if health:
                    conn.executemany(_HEALTH_UPSERT, health)
                return conn, last_rowid
            except sqlite3.Error as exc:
                _rollback(conn)
                if not _is_locked(exc) or time.monotonic() >= deadline:
                    raise
                self._health.record(WRITE_RETRIES)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _keep_what_can_be_kept(self, grouped: Grouped, exc: sqlite3.Error) -> None:
        if _is_locked(exc):
            self._health.record(WRITE_FAILED, _count(grouped), exc)
        else:
            self._commit_row_by_row(grouped, exc)

    def _commit_row_by_row(self, grouped: Grouped, batch_error: sqlite3.Error) -> None:
        """Keep every row that can be written when a batch fails for a row-level reason."""
        total = _count(grouped)
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
        for sql, same_shape in grouped:
            for values in same_shape:
                try:
                    conn.execute("SAVEPOINT row")
                    conn.execute(sql, values)
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
        """Drop the connection without closing it: in a forked child it belongs to the parent.

        The helper thread of an unfinished transaction does not exist in the child either.
        """
        self._conn = None
        self._tail = None

    def close(self) -> None:
        """End the last transaction and close the connection (a later batch reopens it)."""
        self.settle()
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None


class _Tail(threading.Thread):
    """Indexes one inserted batch for search and commits it (on a helper thread, or inline).

    One ``INSERT ... SELECT`` into the FTS table per batch costs a tenth of a
    per-row trigger; the delete and update triggers keep the index right for
    everything else (purge, edits in datasette). Both statements run inside
    SQLite with the GIL released. On failure the transaction is rolled back
    here, so the write lock never outlives the batch, and the writer thread
    retries the rows one by one when it concludes the tail.
    """

    def __init__(
        self, conn: sqlite3.Connection, last_rowid: int, grouped: Grouped, health: list[HealthRow]
    ) -> None:
        super().__init__(name="hetero-agents-log-commit", daemon=True)
        self.conn = conn
        self.last_rowid = last_rowid
        self.grouped = grouped
        self.health = health
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.conn.execute(_INDEX_NEW_CALLS, (self.last_rowid,))
            self.conn.execute("COMMIT")
        except Exception as exc:  # handed to the writer thread, which counts it
            _rollback(self.conn)
            self.error = exc


# Checkpoint the WAL into the database every this many pages (32 MiB of 4 KiB pages)
# instead of SQLite's 1,000: each checkpoint syncs the disk twice, and under a steady
# stream of batches those syncs were a fifth of the commit time. The WAL file stays
# at most about this size; readers are unaffected.
WAL_CHECKPOINT_PAGES = 8192


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
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
    return conn


def _count(grouped: Grouped) -> int:
    return sum(len(values) for _, values in grouped)


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _rollback(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
