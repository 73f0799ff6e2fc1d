"""sha256 checks of model files, and stamps that spare re-hashing a verified file.

Hashing a 1 GB GGUF takes seconds, far too long for every ``load_model``. A
stamp records the size, modification time (ns) and digest that a full hash
established; while the file's size and mtime still match the stamp, the file
is taken as verified. Anything that rewrites the file changes its mtime, so the
next use hashes it again. ``hetero-agents models verify`` ignores stamps.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ProgressHook = Callable[[int], None]
"""Called with the number of bytes just processed, so a caller can draw a progress bar."""

CHUNK_SIZE = 4 * 1024 * 1024
"""Read size while hashing or copying: big enough that Python's per-chunk cost vanishes."""

_STAMP_VERSION = 1


def sha256_file(path: Path, progress: ProgressHook | None = None) -> str:
    """Return the hex sha256 of ``path``, reporting progress in bytes."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(view):
            digest.update(view[:n])
            if progress is not None:
                progress(n)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a full hash of a file established, and when (by size and mtime)."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    version: int = _STAMP_VERSION

    @classmethod
    def of(cls, path: Path, sha256: str) -> Stamp:
        """A stamp for ``path`` as it is now on disk, with the digest just computed."""
        st = path.stat()
        return cls(str(path.resolve()), st.st_size, st.st_mtime_ns, sha256)

    def matches(self, path: Path, sha256: str) -> bool:
        """Whether ``path`` is the very file this stamp verified against ``sha256``."""
        try:
            st = path.stat()
        except OSError:
            return False
        return (
            self.version == _STAMP_VERSION
            and self.sha256 == sha256
            and self.path == str(path.resolve())
            and self.size == st.st_size
            and self.mtime_ns == st.st_mtime_ns
        )


def read_stamp(stamp_path: Path) -> Stamp | None:
    """Read a stamp; a missing, unreadable or malformed one is simply no stamp."""
    try:
        data = json.loads(stamp_path.read_text(encoding="utf-8"))
        return Stamp(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_stamp(stamp_path: Path, stamp: Stamp) -> None:
    """Write ``stamp`` atomically, so a crash never leaves half a stamp behind.

    A stamp that cannot be written (read-only cache) only costs a re-hash next
    time, so write errors are swallowed.
    """
    with contextlib.suppress(OSError):
        stamp_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=stamp_path.parent, prefix=f".{stamp_path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(stamp), f)
            os.replace(tmp, stamp_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def remove_stamp(stamp_path: Path) -> None:
    """Forget a verification (the file changed or failed its check)."""
    with contextlib.suppress(FileNotFoundError):
        stamp_path.unlink()
