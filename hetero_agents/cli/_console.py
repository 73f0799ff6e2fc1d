"""Shared terminal output: one rich console, and typed errors turned into clean exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Print a :class:`HeteroAgentsError` as one red line and exit 1, not a traceback."""
    from hetero_agents.errors import HeteroAgentsError

    try:
        yield
    except HeteroAgentsError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from exc
