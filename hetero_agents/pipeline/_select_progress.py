"""The progress bar of S4's replay: one tick per replayed call, on stderr.

A replay of a few hundred calls on several models takes minutes to hours on a
laptop; the bar says which model, mode and cluster is running and how long is
left. With ``enabled=False`` (tests, library use in a service) it draws nothing
and costs nothing.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self


class ReplayProgress:
    """A rich progress bar over ``total`` replayed calls (or nothing, when disabled)."""

    def __init__(self, total: int, *, enabled: bool = True) -> None:
        self._total = total
        self._enabled = enabled and total > 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Self:
        if self._enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
            self._task = self._progress.add_task("replaying", total=self._total)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def describe(self, text: str) -> None:
        """Show what is running now."""
        if self._progress is not None:
            self._progress.update(self._task, description=text)

    def advance(self, n: int = 1) -> None:
        """``n`` more calls are done."""
        if self._progress is not None:
            self._progress.advance(self._task, n)
