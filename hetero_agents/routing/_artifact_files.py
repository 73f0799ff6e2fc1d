"""The files of a router artifact besides its manifest: centroids and few-shot shots.

Every such file is named by a hash of its content, so saving a new artifact
over an old one never rewrites a file that the old manifest names: a reader
holding the old manifest still finds exactly the bytes it was written with.
Only the manifest itself is swapped, with one ``os.replace``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from hetero_agents.errors import ArtifactError
from hetero_agents.pipeline.records import Example

if TYPE_CHECKING:
    from numpy.typing import NDArray

FEW_SHOT_FORMAT: Final = "hetero-agents/few-shot"
FEW_SHOT_VERSION: Final = 1
FEW_SHOT_DIR: Final = "few_shot"
FILE_MODE: Final = 0o644
"""Mode of the files an artifact is made of: readable by the account that serves it."""

_HASHED_NAME = re.compile(r"^c(?P<cluster>\d+)-(?P<digest>[0-9a-f]{12})\.json$")
_EXAMPLES: TypeAdapter[list[Example]] = TypeAdapter(list[Example])


class CentroidsRef(BaseModel):
    """Where the manifest says the centroids are, and what they must hash to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    sha256: str
    shape: tuple[int, int]


def encode_centroids(centroids: NDArray[np.float32]) -> tuple[str, str, bytes]:
    """``(file name, sha256, bytes)`` of a centroid matrix as a ``.npy`` file."""
    buffer = io.BytesIO()
    np.save(buffer, centroids, allow_pickle=False)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    return f"centroids-{digest[:12]}.npy", digest, data


def read_centroids(root: Path, ref: CentroidsRef) -> NDArray[np.float32]:
    """Load and check the centroids a manifest names (plain name, checksum, shape)."""
    path = root / ref.file
    if Path(ref.file).name != ref.file:
        raise ArtifactError(f"centroids file {ref.file!r} must be a plain file name")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"cannot read the centroids {path}: {exc}") from exc
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        raise ArtifactError(f"{path} does not match the manifest's sha256; re-run the pipeline")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        raise ArtifactError(f"{path} is not a numpy array file: {exc}") from exc
    if tuple(array.shape) != tuple(ref.shape):
        raise ArtifactError(f"{path} has shape {array.shape}, the manifest says {ref.shape}")
    return np.asarray(array, dtype=np.float32)


def encode_few_shot(cluster_id: int, shots: Sequence[Example]) -> tuple[str, bytes]:
    """``(relative path, bytes)`` of a cluster's few-shot file.

    The JSON is canonical (sorted keys, no whitespace choices left open), so the
    same shots always give the same bytes and hence the same name.
    """
    payload = {
        "format": FEW_SHOT_FORMAT,
        "version": FEW_SHOT_VERSION,
        "cluster": cluster_id,
        "shots": [dataclasses.asdict(shot) for shot in shots],
    }
    data = (json.dumps(payload, sort_keys=True, ensure_ascii=False) + "\n").encode()
    digest = hashlib.sha256(data).hexdigest()
    return f"{FEW_SHOT_DIR}/c{cluster_id}-{digest[:12]}.json", data


def read_few_shot(root: Path, relative: str, cluster_id: int) -> tuple[Example, ...]:
    """Load a cluster's few-shot file, refusing paths outside the artifact and altered files."""
    parts = PurePosixPath(relative)
    if parts.is_absolute() or ".." in parts.parts or Path(relative).is_absolute():
        raise ArtifactError(
            f"cluster {cluster_id}'s few-shot file {relative!r} must be a path inside the artifact"
        )
    path = root / relative
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArtifactError(
            f"cannot read cluster {cluster_id}'s few-shot file {path}: {exc}"
        ) from exc
    named = _HASHED_NAME.match(parts.name)
    if named is not None and hashlib.sha256(data).hexdigest()[:12] != named["digest"]:
        raise ArtifactError(f"{path} does not match the hash in its name; re-run `route`")
    try:
        raw: Any = json.loads(data)
    except ValueError as exc:
        raise ArtifactError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format") != FEW_SHOT_FORMAT:
        raise ArtifactError(f"{path} is not a hetero-agents few-shot file")
    if raw.get("version") != FEW_SHOT_VERSION:
        raise ArtifactError(
            f"{path} is few-shot format version {raw.get('version')!r}; this hetero-agents "
            f"reads version {FEW_SHOT_VERSION} (upgrade hetero-agents)"
        )
    if raw.get("cluster") != cluster_id:
        raise ArtifactError(f"{path} holds cluster {raw.get('cluster')!r}, not {cluster_id}")
    try:
        return tuple(_EXAMPLES.validate_python(raw.get("shots")))
    except ValidationError as exc:
        raise ArtifactError(f"{path} has invalid shots: {exc}") from exc


def referenced_files(manifest: Any) -> set[str]:
    """Relative paths of the content files a (raw) manifest names; empty when unreadable."""
    names: set[str] = set()
    if not isinstance(manifest, dict):
        return names
    centroids = manifest.get("centroids")
    if isinstance(centroids, dict) and isinstance(centroids.get("file"), str):
        names.add(centroids["file"])
    for cluster in manifest.get("clusters") or ():
        if isinstance(cluster, dict) and isinstance(cluster.get("few_shot"), str):
            names.add(cluster["few_shot"])
    return names


def read_json(path: Path) -> Any:
    """A JSON file's content, or ``None`` when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remove_unreferenced(root: Path, keep: set[str]) -> None:
    """Delete hash-named content files that no kept manifest names."""
    candidates = [*root.glob("centroids-*.npy"), *root.glob(f"{FEW_SHOT_DIR}/c*-*.json")]
    for path in candidates:
        if path.relative_to(root).as_posix() not in keep:
            path.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); an artifact is read by whichever
        # account serves the agent, so give it an ordinary file's mode.
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
