"""The one background thread per logger that drains queued rows into SQLite.

The agent's thread only appends a row (or a draft of one) to a deque (no lock,
no syscall in the common case); this thread wakes when a batch is ready or ``LINGER_S`` has
passed, and hands each batch to :class:`~hetero_agents.logs._batch.BatchCommitter`
(one transaction per batch, whose commit overlaps the encoding of the next
batch while a backlog lasts). ``flush()`` waits for a marker to pass through the
queue; interpreter exit closes every live writer; a forked child starts afresh.
The overflow policy (block briefly, or drop) applies only when the queue is full,
and every drop is counted. Nothing here raises into the caller.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Literal

from hetero_agents.logs._batch import BatchCommitter, Queued
from hetero_agents.logs._crypto import ContentCipher
from hetero_agents.logs._health import (
    DROPPED_AFTER_CLOSE,
    DROPPED_QUEUE_FULL,
    WRITE_FAILED,
    CaptureHealth,
)

Overflow = Literal["block", "drop"]

# The writer sleeps up to this long between batches unless a producer wakes it. Waking
# a thread costs the producer a syscall, so producers only do it once a full batch
# is waiting (or on flush); below that, rows wait at most this long in memory.
LINGER_S = 0.05
_FULL_POLL_S = 0.001
# Rows per transaction at most. Large batches amortise what each one costs once (a
# commit, a new search-index segment, the hand-over to the commit helper); a batch
# only fills up under a backlog, so this bounds catching up, not latency.
DEFAULT_BATCH_SIZE = 2048


class _FlushMarker:
    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


class BackgroundWriter:
    """Batches rows from any thread into one SQLite database on a daemon thread."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        *,
        health: CaptureHealth,
        cipher: ContentCipher | None = None,
        queue_size: int = 10_000,
        overflow: Overflow = "block",
        block_timeout: float = 1.0,
        batch_size: int = DEFAULT_BATCH_SIZE,
        retry_for: float = 30.0,
    ) -> None:
        """Create a writer; its thread starts with the first row.

        Args:
            connect: Opens a connection to the database (called on the writer thread).
            health: Where failures are counted.
            cipher: Encrypts content columns when given.
            queue_size: Rows that may wait in memory before the overflow policy applies.
            overflow: ``"block"`` waits up to ``block_timeout`` seconds for room and
                drops (counted) only after that; ``"drop"`` drops (counted) at once.
            block_timeout: The longest a producer blocks when the queue is full.
            batch_size: The most rows committed in one transaction.
            retry_for: How long a batch is retried while the database is locked.
        """
        if overflow not in ("block", "drop"):
            raise ValueError(f"overflow must be 'block' or 'drop', not {overflow!r}")
        if queue_size < 1 or batch_size < 1:
            raise ValueError("queue_size and batch_size must be at least 1")
        self._health = health
        self._queue_size = queue_size
        self._overflow = overflow
        self._block_timeout = block_timeout
        self._batch_size = batch_size
        self._batches = BatchCommitter(connect, health=health, cipher=cipher, retry_for=retry_for)
        self._reset()
        _LIVE.add(self)

    def _reset(self) -> None:
        """Fresh state: used at construction and in a forked child (whose thread is gone)."""
        self._items: deque[Any] = deque()
        self._wakeup = threading.Event()
        self._idle = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._batches.forget_connection()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called; later rows are dropped and counted."""
        return self._closed

    def submit(self, table: str, row: Queued) -> None:
        """Queue one row (or a draft of one) for ``table``.

        Never raises and never blocks longer than configured.
        """
        if self._closed:
            self._health.record(DROPPED_AFTER_CLOSE)
            return
        if self._thread is None:
            self._start()
        items = self._items
        if len(items) >= self._queue_size and not self._wait_for_room():
            self._health.record(DROPPED_QUEUE_FULL)
            return
        items.append((table, row))
        if self._idle and len(items) >= self._batch_size:
            self._wakeup.set()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every row submitted before this call is committed (or has failed).

        Returns:
            ``True`` when done, ``False`` if ``timeout`` seconds passed first.
        """
        if self._closed:
            return not self._items
        if self._thread is None:
            self._start()  # also persists failure counters when no row was ever queued
        marker = _FlushMarker()
        self._items.append(marker)
        self._wakeup.set()
        return marker.done.wait(timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Flush, stop the thread and close the connection. Idempotent.

        Returns:
            ``True`` if everything queued was handled within ``timeout``.
        """
        if self._closed:
            return True
        flushed = self.flush(timeout)
        self._closed = True
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._items.append(_STOP)
            self._wakeup.set()
            thread.join(timeout)
        _LIVE.discard(self)
        return flushed

    # --- writer thread --------------------------------------------------------------------

    def _settle(self) -> None:
        try:
            self._batches.settle()
        except Exception as exc:  # last resort, as for a batch
            self._health.record(WRITE_FAILED, 0, exc)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                thread = threading.Thread(
                    target=self._run, name="hetero-agents-log-writer", daemon=True
                )
                thread.start()
                self._thread = thread

    def _wait_for_room(self) -> bool:
        if self._overflow == "drop":
            return False
        deadline = time.monotonic() + self._block_timeout
        while len(self._items) >= self._queue_size:
            if time.monotonic() >= deadline:
                return False
            self._wakeup.set()
            time.sleep(_FULL_POLL_S)
        return True

    def _run(self) -> None:
        items = self._items
        while True:
            if len(items) < self._batch_size:
                self._settle()  # caught up: end the last transaction before waiting
                self._idle = True
                self._wakeup.wait(LINGER_S)
                self._idle = False
                self._wakeup.clear()
            if not items:
                continue
            rows: list[tuple[str, Queued]] = []
            markers: list[_FlushMarker] = []
            stop = False
            while items and len(rows) < self._batch_size:
                item = items.popleft()
                if isinstance(item, _FlushMarker):
                    markers.append(item)
                elif item is _STOP:
                    stop = True
                else:
                    rows.append(item)
            # A full batch still waiting: overlap this commit with encoding it.
            backlog = len(items) >= self._batch_size and not markers and not stop
            try:
                self._batches.write(rows, overlap=backlog)
            except Exception as exc:  # last resort: the thread must survive anything
                self._health.record(WRITE_FAILED, len(rows), exc)
            for marker in markers:
                marker.done.set()
            if stop:
                self._batches.close()
                return


# --- process-wide hooks: flush at exit, start afresh after fork ------------------------------

_LIVE: weakref.WeakSet[BackgroundWriter] = weakref.WeakSet()
EXIT_FLUSH_TIMEOUT_S = 10.0


def _flush_all_at_exit() -> None:
    writers: Sequence[BackgroundWriter] = list(_LIVE)
    for writer in writers:
        writer.close(EXIT_FLUSH_TIMEOUT_S)


def _reset_all_after_fork() -> None:
    for writer in list(_LIVE):
        writer._reset()  # the parent's thread and connection do not exist in the child


atexit.register(_flush_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_all_after_fork)
