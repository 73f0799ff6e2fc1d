"""The pipeline's progress bars: one rich bar on stderr, or nothing at all.

Embedding 100k calls or replaying a few hundred on several models takes
minutes to hours on a laptop, so every long stage shows how far it is and how
long is left. With ``enabled=False`` (tests, library use in a service) nothing
is drawn and rich is not even imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class ProgressBar:
    """A handle on one running bar; every method is a no-op when the bar is disabled."""

    def __init__(self, progress: Any = None, task: Any = None) -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: int = 1) -> None:
        """``n`` more steps are done."""
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def describe(self, text: str) -> None:
        """Show what is running now."""
        if self._progress is not None:
            self._progress.update(self._task, description=text)


@contextmanager
def progress_bar(
    description: str, total: int, *, enabled: bool, transient: bool = True
) -> Iterator[ProgressBar]:
    """A rich bar over ``total`` steps (vanishing when done unless ``transient=False``)."""
    if not enabled or total <= 0:
        yield ProgressBar()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=transient,
    ) as progress:
        yield ProgressBar(progress, progress.add_task(description, total=total))


__all__ = ["ProgressBar", "progress_bar"]
