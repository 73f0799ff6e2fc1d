"""Concatenating carrier parts into one GGUF, atomically and verified.

The parts are streamed into a temporary file in the destination folder while
the sha256 is computed over the same bytes, so the file is read only once. The
temporary file becomes the final file by ``os.replace`` (atomic on POSIX and
Windows within one folder) only after it is flushed to disk *and* its digest
matches. Whatever goes wrong, Ctrl-C included, no file ever appears under the
final name that did not pass the check, and no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hetero_agents.errors import ModelFileError, ModelIntegrityError
from hetero_agents.models.catalog import CatalogEntry
from hetero_agents.models.integrity import CHUNK_SIZE, ProgressHook


def assemble(
    entry: CatalogEntry,
    parts: Sequence[Path],
    destination: Path,
    progress: ProgressHook | None = None,
) -> Path:
    """Write the concatenation of ``parts`` to ``destination`` if it hashes to ``entry.sha256``.

    Args:
        entry: The catalog entry (expected size and sha256).
        parts: The part files, in concatenation order.
        destination: The final path of the GGUF; its folder is created if needed.
        progress: Called with each chunk's size in bytes.

    Returns:
        ``destination``.

    Raises:
        ModelIntegrityError: The concatenation does not match the catalog's
            sha256 (or size); nothing is left on disk.
        ModelFileError: A part could not be read, or the destination not written.
    """
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial"
        )
    except OSError as exc:
        raise ModelFileError(
            destination.parent,
            f"cannot write to the models folder ({exc.strerror}); "
            "point HETERO_AGENTS_HOME at a writable folder",
        ) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb", buffering=0) as out:
            actual, written = _copy_parts(parts, out, destination, progress)
            _sync(out, destination)
        if written != entry.size or actual != entry.sha256:
            raise ModelIntegrityError(destination, entry.sha256, actual)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a model file is not a secret
        os.replace(tmp, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(destination.parent)
    return destination


def _copy_parts(
    parts: Sequence[Path], out: io.FileIO, destination: Path, progress: ProgressHook | None
) -> tuple[str, int]:
    """Stream every part into ``out``, hashing on the way; return the hex digest and size."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    written = 0
    for part in parts:
        try:
            src = part.open("rb", buffering=0)
        except OSError as exc:
            raise ModelFileError(part, f"cannot read model part ({exc.strerror})") from exc
        with src:
            while n := src.readinto(view):
                chunk = view[:n]
                digest.update(chunk)
                _write_all(out, chunk, destination)
                written += n
                if progress is not None:
                    progress(n)
    return digest.hexdigest(), written


def _write_all(out: io.FileIO, chunk: memoryview, destination: Path) -> None:
    """Write all of ``chunk``: a raw (unbuffered) file may accept fewer bytes per call."""
    try:
        while chunk:
            n = out.write(chunk)
            chunk = chunk[n or 0 :]
    except OSError as exc:  # disk full is the usual cause with files this size
        raise ModelFileError(destination, f"cannot write the model file ({exc.strerror})") from exc


def _sync(out: io.FileIO, destination: Path) -> None:
    """Flush the file's data to disk before it may be renamed into place."""
    try:
        os.fsync(out.fileno())
    except OSError as exc:
        raise ModelFileError(destination, f"cannot write the model file ({exc.strerror})") from exc


def _fsync_directory(folder: Path) -> None:
    """Persist the rename itself; a no-op where folders cannot be opened (Windows)."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY | flags)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
