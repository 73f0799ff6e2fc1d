"""Deadlines and cancellation for one call, checked between tokens.

A call may wait for a busy model and then generate for a long time; both count
against ``timeout``. Cancellation comes from the async bridge when the consumer of
a stream goes away. llama.cpp cannot be interrupted inside a forward pass, so the
check runs before each token: the worst-case reaction time is one token.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class CallCancelledError(Exception):
    """The consumer of an async stream went away; generation stops early."""


class CallControl:
    """The timeout and cancellation state of one call.

    Args:
        timeout: Seconds the whole call may take, or ``None`` for no limit.
        cancelled: Set by another thread to stop generation.
    """

    def __init__(self, timeout: float | None, cancelled: threading.Event | None = None) -> None:
        self._timeout = timeout
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._cancelled = cancelled

    def check(self) -> None:
        """Raise if the call was cancelled or ran out of time."""
        if self._cancelled is not None and self._cancelled.is_set():
            raise CallCancelledError
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise TimeoutError(f"generation exceeded timeout={self._timeout}s")

    @contextmanager
    def holding(self, lock: threading.Lock, model_name: str) -> Iterator[Callable[[], None]]:
        """Hold ``lock`` (waiting at most until the deadline) and yield the checker."""
        wait = -1.0 if self._deadline is None else max(0.0, self._deadline - time.monotonic())
        if not lock.acquire(timeout=wait):
            raise TimeoutError(
                f"{model_name} stayed busy for the whole timeout of {self._timeout}s"
            )
        try:
            yield self.check
        finally:
            lock.release()
