"""The progress bars of S3: texts embedded, then candidate ``k`` tried.

Embedding 100k calls takes minutes on a laptop, so the user sees how far it
is and how long is left. Bars go to stderr and vanish when done; with
``enabled=False`` (tests, services) nothing is drawn and nothing is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(description: str, total: int, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A transient rich bar over ``total`` steps; yields ``advance(n)``."""
    if not enabled or total <= 0:
        yield _ignore
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
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def _ignore(n: int) -> None:
    del n
