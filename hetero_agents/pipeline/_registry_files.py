"""The file-level pieces of :mod:`~hetero_agents.pipeline.registry`: describe, copy, sync."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Final

from hetero_agents.errors import ArtifactError
from hetero_agents.pipeline._artifact_bundle import LORA_DIR
from hetero_agents.routing._artifact_files import FEW_SHOT_DIR, atomic_write
from hetero_agents.routing.artifact import MANIFEST, RouterArtifact

logger = logging.getLogger("hetero_agents.pipeline.registry")

_RESERVED: Final = frozenset({MANIFEST, LORA_DIR, FEW_SHOT_DIR})


@dataclass(frozen=True, slots=True)
class ArtifactVersion:
    """One published artifact version.

    Attributes:
        version: Its number (``v0003`` is 3).
        path: Its directory (load it with ``RouterArtifact.load(path)`` or
            ``ClusterPolicy(path)``).
        created_utc: When the artifact was built.
        n_clusters / n_slm: Clusters in all, and those an SLM serves.
        manifest_sha256: Hash of its manifest, to tell versions apart in records.
        active: Whether ``current`` points at it.
    """

    version: int
    path: Path
    created_utc: str
    n_clusters: int
    n_slm: int
    manifest_sha256: str
    active: bool

    @property
    def name(self) -> str:
        """The directory name, ``v0003``."""
        return self.path.name

    def load(self) -> RouterArtifact:
        """The artifact itself."""
        return RouterArtifact.load(self.path)


def describe(number: int, path: Path, *, active: bool) -> ArtifactVersion | None:
    try:
        data = (path / MANIFEST).read_bytes()
        manifest: Any = json.loads(data)
        clusters = manifest["clusters"]
        created = str(manifest["created_utc"])
        n_slm = sum(1 for cluster in clusters if cluster.get("tier") == "slm")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.warning("skipping %s: not a readable router artifact (%s)", path, exc)
        return None
    return ArtifactVersion(
        version=number,
        path=path.resolve(),
        created_utc=created,
        n_clusters=len(clusters),
        n_slm=n_slm,
        manifest_sha256=hashlib.sha256(data).hexdigest(),
        active=active,
    )


def copy_extra(staging: Path, name: str, source: Path) -> None:
    relative = PurePosixPath(name)
    if (
        not relative.parts
        or relative.is_absolute()
        or ".." in relative.parts
        or relative.parts[0] in _RESERVED
        or relative.parts[0].startswith("centroids-")
    ):
        raise ArtifactError(
            f"extra file name {name!r} must be a relative path inside the version that does "
            "not replace the artifact's own files"
        )
    target = staging / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    elif source.is_file():
        shutil.copyfile(source, target)
    else:
        raise ArtifactError(f"extra file {name!r}: {source} does not exist")


def write_pointer_file(path: Path, name: str) -> None:
    atomic_write(path, f"{name}\n".encode())


def fsync_dir(path: Path) -> None:
    """Make a rename or new entries in ``path`` durable (a no-op where dirs cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)
