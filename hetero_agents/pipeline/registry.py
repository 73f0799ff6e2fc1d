"""Versioned router artifacts on disk: publish, list, activate, roll back.

A registry is a directory of immutable, self-contained artifact versions and a
pointer to the active one::

    routers/
      v0001/  manifest.json, centroids-*.npy, few_shot/*.json, loras/*.gguf, ...
      v0002/
      current -> v0002        symlink (or a CURRENT file where symlinks are unavailable)

Publishing builds the whole version in a hidden staging directory next to the
versions, checks that it loads, and only then renames it to the next free
``vNNNN``. A rename within one file system is atomic, so a version directory
either exists complete or not at all: a crash mid-publish leaves at most a
hidden ``.publish-*`` directory that nothing reads. The ``current`` pointer is
swapped with ``os.replace`` after that. Versions are never modified or deleted
by the registry, so a rollback is just moving the pointer back.

Concurrent publishers (two ``route`` runs) are serialised by a lock file where
the platform has ``fcntl``; without it, a rename onto a version number that
another publisher just took fails and the next number is tried, so they still
get distinct versions.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Final

from hetero_agents.errors import (
    ArtifactError,
    NothingToRollBackError,
    UnknownArtifactVersionError,
)
from hetero_agents.pipeline._artifact_bundle import bundle_loras
from hetero_agents.pipeline._registry_files import (
    ArtifactVersion,
    copy_extra,
    describe,
    fsync_dir,
    write_pointer_file,
)
from hetero_agents.routing.artifact import RouterArtifact

logger = logging.getLogger(__name__)

CURRENT_LINK: Final = "current"
CURRENT_FILE: Final = "CURRENT"
_LOCK: Final = ".lock"
_STAGING_PREFIX: Final = ".publish-"
_VERSION_DIR = re.compile(r"^v(\d{4,})$")
_MAX_RENAME_TRIES: Final = 1000
_DIR_MODE: Final = 0o755


class ArtifactRegistry:
    """The versions of a router artifact under ``root`` and which one is active.

    Args:
        root: The registry directory; created on the first publish.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # -- reading -------------------------------------------------------------------------------

    def versions(self) -> list[ArtifactVersion]:
        """Every published version, oldest first (unreadable ones are skipped with a warning)."""
        active = self._active_name()
        found: list[ArtifactVersion] = []
        for number, path in self._version_dirs():
            described = describe(number, path, active=path.name == active)
            if described is not None:
                found.append(described)
        return found

    def version(self, number: int) -> ArtifactVersion:
        """The version with this number.

        Raises:
            UnknownArtifactVersionError: There is none; the message lists those there are.
        """
        for found in self.versions():
            if found.version == number:
                return found
        known = ", ".join(str(v.version) for v in self.versions()) or "none"
        raise UnknownArtifactVersionError(
            f"{self.root} has no artifact version {number} (versions: {known})"
        )

    def current(self) -> ArtifactVersion | None:
        """The active version, or ``None`` before the first publish."""
        name = self._active_name()
        if name is None:
            return None
        match = _VERSION_DIR.match(name)
        path = self.root / name
        described = describe(int(match[1]), path, active=True) if match else None
        if described is None:
            raise ArtifactError(
                f"{self.root}'s current pointer names {name!r}, which is not a readable version;"
                " activate a good one (route --rollback)"
            )
        return described

    def current_path(self) -> Path:
        """The active version's directory, e.g. for ``ClusterPolicy(registry.current_path())``.

        The path is resolved now: a policy keeps serving the version it loaded
        even if the pointer moves later.

        Raises:
            ArtifactError: Nothing is published yet.
        """
        active = self.current()
        if active is None:
            raise ArtifactError(
                f"no router artifact is published in {self.root} yet; run `hetero-agents route`"
            )
        return active.path

    # -- writing -------------------------------------------------------------------------------

    def publish(
        self,
        artifact: RouterArtifact,
        *,
        extra_files: Mapping[str, Path] | None = None,
        activate: bool = True,
    ) -> ArtifactVersion:
        """Write ``artifact`` as the next version, self-contained, and (by default) activate it.

        LoRA adapters are copied in under ``loras/`` and few-shot files are
        written beside the manifest, so the version does not depend on the
        pipeline's working files.

        Args:
            artifact: The artifact (e.g. from :func:`~hetero_agents.pipeline.route.build_artifact`).
            extra_files: ``{relative name: source}`` copied into the version too
                (a report, the run's parameters); directories are copied whole.
            activate: Point ``current`` at the new version.

        Raises:
            ArtifactError: A LoRA or extra file is missing, an extra name would
                leave the version or overwrite the artifact's own files, or the
                staged version does not load. Nothing is published then.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=self.root))
        try:
            staging.chmod(_DIR_MODE)  # mkdtemp's 0700 would hide the version from a server
            bundled = bundle_loras(artifact, staging)
            bundled.save(staging)
            for name, source in (extra_files or {}).items():
                copy_extra(staging, name, Path(source))
            RouterArtifact.load(staging)  # what we publish must load
            fsync_dir(staging)
            with self._locked():
                path = self._claim_next(staging)
                if activate:
                    self._point_current(path.name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        published = describe(int(path.name[1:]), path, active=activate)
        if published is None:  # it loaded from staging a moment ago: the disk changed under us
            raise ArtifactError(f"{path} became unreadable right after publishing; check the disk")
        logger.info("published router artifact %s", path)
        return published

    def activate(self, number: int) -> ArtifactVersion:
        """Point ``current`` at version ``number`` after checking that it loads.

        Raises:
            UnknownArtifactVersionError: No such version.
            ArtifactError: The version does not load; the pointer is left as it was.
        """
        target = self.version(number)
        try:
            RouterArtifact.load(target.path)
        except ArtifactError as exc:
            raise ArtifactError(f"version {number} was not activated: {exc}") from exc
        with self._locked():
            self._point_current(target.name)
        return self.version(number)

    def rollback(self, to: int | None = None) -> ArtifactVersion:
        """Activate version ``to``, by default the newest one older than the active one.

        Newer versions are kept, so a rollback can itself be undone with
        :meth:`activate`.

        Raises:
            NothingToRollBackError: No version is active, or the active one is the oldest.
            UnknownArtifactVersionError: ``to`` is not a version.
        """
        if to is not None:
            return self.activate(to)
        active = self.current()
        if active is None:
            raise NothingToRollBackError(
                f"no artifact version is active in {self.root}; publish one with `route` first"
            )
        older = [v for v in self.versions() if v.version < active.version]
        if not older:
            raise NothingToRollBackError(
                f"version {active.version} is the oldest in {self.root}; nothing to roll back to"
            )
        return self.activate(older[-1].version)

    # -- internals -----------------------------------------------------------------------------

    def _version_dirs(self) -> list[tuple[int, Path]]:
        try:
            entries = list(self.root.iterdir())
        except FileNotFoundError:
            return []
        found = [
            (int(match[1]), entry)
            for entry in entries
            if (match := _VERSION_DIR.match(entry.name)) and entry.is_dir()
        ]
        return sorted(found)

    def _active_name(self) -> str | None:
        link = self.root / CURRENT_LINK
        if link.is_symlink():
            return PurePosixPath(os.readlink(link)).name
        try:
            name = (self.root / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def _claim_next(self, staging: Path) -> Path:
        """Rename ``staging`` to the first free version number after the newest."""
        number = max((n for n, _ in self._version_dirs()), default=0) + 1
        for _ in range(_MAX_RENAME_TRIES):
            target = self.root / f"v{number:04d}"
            if not target.exists():
                try:
                    os.rename(staging, target)
                except OSError as exc:
                    if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                        raise
                else:
                    fsync_dir(self.root)
                    return target
            number += 1
        raise ArtifactError(f"could not claim a free version number in {self.root}")

    def _point_current(self, name: str) -> None:
        temporary = self.root / f".{CURRENT_LINK}-{uuid.uuid4().hex}"
        try:
            os.symlink(name, temporary, target_is_directory=True)
        except (OSError, NotImplementedError):
            write_pointer_file(self.root / CURRENT_FILE, name)
            return
        try:
            os.replace(temporary, self.root / CURRENT_LINK)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise ArtifactError(
                f"cannot move {self.root / CURRENT_LINK} to {name}: {exc}; it must be a symlink"
            ) from exc
        fsync_dir(self.root)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: rename retries keep versions distinct
            yield
            return
        with (self.root / _LOCK).open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def __repr__(self) -> str:
        return f"ArtifactRegistry({str(self.root)!r})"


__all__ = ["CURRENT_FILE", "CURRENT_LINK", "ArtifactRegistry", "ArtifactVersion"]
