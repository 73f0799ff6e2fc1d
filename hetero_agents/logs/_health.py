"""What went wrong inside the logger: counted, warned about once, never raised.

The logger lives inside someone else's agent. A full disk or a locked database
must not turn into an exception in the agent, but it must not vanish either:
each failure bumps a named counter, the first of each kind emits one
:class:`CaptureWarning`, and the writer persists the counts into the
``capture_health`` table so that ``hetero-agents logs stats`` shows them later,
from any process.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections import Counter
from datetime import UTC, datetime
from typing import Final

_log = logging.getLogger("hetero_agents.logs")

DROPPED_QUEUE_FULL: Final = "dropped_queue_full"
DROPPED_AFTER_CLOSE: Final = "dropped_after_close"
WRITE_FAILED: Final = "write_failed"
WRITE_RETRIES: Final = "write_retries"
HANDLER_ERRORS: Final = "handler_errors"

# What each failure means for the user, and what to do about it.
_EXPLANATIONS: Final[dict[str, str]] = {
    DROPPED_QUEUE_FULL: (
        "the log queue stayed full and a row was dropped; raise queue_size, or use "
        "overflow='block' with a longer block_timeout"
    ),
    DROPPED_AFTER_CLOSE: "a call ended after the logger was closed, so its row was not recorded",
    WRITE_FAILED: "rows could not be written to the log database",
    HANDLER_ERRORS: (
        "recording a call failed (the agent was not affected; what could be kept of the row "
        "was kept)"
    ),
}
# Counters that are worth knowing but are not failures: never warned about.
_SILENT: Final = frozenset({WRITE_RETRIES})
_MAX_MESSAGE = 300


class CaptureWarning(RuntimeWarning):
    """The logger could not record something; see ``hetero-agents logs stats``."""


class CaptureHealth:
    """Thread-safe failure counters of one logger, with warn-once and persistence hooks."""

    def __init__(self, where: str = "") -> None:
        """Create empty counters.

        Args:
            where: The database the counters belong to, quoted in warnings.
        """
        self._where = where
        self._lock = threading.Lock()
        self._totals: Counter[str] = Counter()
        self._unpersisted: Counter[str] = Counter()
        self._last: dict[str, tuple[str, str]] = {}
        self._warned: set[str] = set()

    def record(self, counter: str, n: int = 1, error: BaseException | str | None = None) -> None:
        """Count ``n`` events of kind ``counter``; warn the first time a failure kind occurs."""
        message = _describe(error)
        with self._lock:
            self._totals[counter] += n
            self._unpersisted[counter] += n
            if message:
                self._last[counter] = (message, _now())
            first = counter not in self._warned and counter not in _SILENT
            self._warned.add(counter)
        if first:
            self._warn(counter, message)

    def counts(self) -> dict[str, int]:
        """The totals counted by this process since the logger started."""
        with self._lock:
            return dict(self._totals)

    def take_unpersisted(self) -> list[tuple[str, int, str | None, str]]:
        """Hand the counts not yet written to the writer, as ``capture_health`` upsert rows."""
        with self._lock:
            if not self._unpersisted:
                return []
            rows = []
            for name, n in self._unpersisted.items():
                message, at = self._last.get(name, (None, _now()))
                rows.append((name, n, message, at))
            self._unpersisted.clear()
            return rows

    def give_back(self, rows: list[tuple[str, int, str | None, str]]) -> None:
        """Return rows from :meth:`take_unpersisted` whose write failed, to retry later."""
        with self._lock:
            for name, n, _message, _at in rows:
                self._unpersisted[name] += n

    def _warn(self, counter: str, message: str | None) -> None:
        text = f"hetero-agents capture: {_EXPLANATIONS.get(counter, counter)}"
        if self._where:
            text += f" ({self._where})"
        if message:
            text += f": {message}"
        text += ". Further failures of this kind are counted in `hetero-agents logs stats`."
        _log.warning(text)
        # A warnings filter set to "error" must not turn this into an exception in the agent.
        with contextlib.suppress(Exception):
            warnings.warn(text, CaptureWarning, stacklevel=3)


def _describe(error: BaseException | str | None) -> str | None:
    if error is None:
        return None
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return text[:_MAX_MESSAGE]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
