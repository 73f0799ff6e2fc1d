"""The router artifact: what the conversion pipeline learned, in a form the router loads.

An artifact is a directory::

    router/
      manifest.json              what every cluster routes to (versioned, below)
      centroids-<sha12>.npy      float32 (clusters x dim), one unit row per cluster

``manifest.json`` (format ``hetero-agents/router``, version 1)::

    {
      "format": "hetero-agents/router",
      "version": 1,
      "created_utc": "2025-01-01T00:00:00+00:00",
      "embedding": {"model": "sentence-transformers/all-MiniLM-L6-v2", "dim": 384,
                    "text_version": "v1"},
      "centroids": {"file": "centroids-0123456789ab.npy", "sha256": "...", "shape": [3, 384]},
      "clusters": [
        {"id": 0, "label": "extract dates", "task": "extract", "tier": "slm",
         "model": "qwen2.5-coder-0.5b", "lora": "loras/c0.gguf",
         "threshold": 0.35, "min_mean_logprob": -0.8, "size": 812, "score": 0.94},
        ...
      ],
      "metadata": {}
    }

Per cluster: ``tier`` and ``model`` (+ optional ``lora``, relative to the
artifact) say who serves its calls; ``threshold`` is the largest cosine
distance from the centroid at which a call still belongs to the cluster
(farther calls go to the LLM); ``min_mean_logprob`` optionally makes the
router verify the SLM's confidence. ``size`` and ``score`` are the pipeline's
evidence (calls seen, agreement with the LLM) and are informational.

Saving is atomic: the centroids file is named by its content hash and written
first, then the manifest is swapped in with one ``os.replace``, so a reader
sees the old artifact or the new one, never a mix.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hetero_agents.errors import ArtifactError

if TYPE_CHECKING:
    from numpy.typing import NDArray

FORMAT: Final = "hetero-agents/router"
VERSION = 1
"""The newest manifest version this library reads and the one it writes."""

MANIFEST = "manifest.json"


class EmbeddingSpec(BaseModel):
    """Which embedder built the centroids (the router must embed calls the same way)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    dim: int = Field(gt=0)
    text_version: str = "v1"


class ClusterSpec(BaseModel):
    """One cluster of calls and who serves it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    label: str = ""
    task: str | None = None
    tier: Literal["slm", "llm"]
    model: str | None = None
    lora: str | None = None
    threshold: float = Field(gt=0.0, le=2.0)
    min_mean_logprob: float | None = Field(default=None, le=0.0)
    size: int = Field(default=0, ge=0)
    score: float | None = None

    @model_validator(mode="after")
    def _slm_needs_model(self) -> ClusterSpec:
        if self.tier == "slm" and not self.model:
            raise ValueError(f"cluster {self.id} routes to an SLM but names no model")
        return self

    @property
    def slm_key(self) -> str | None:
        """The name the router's ``slms`` must use for this cluster's model (+ LoRA)."""
        if self.model is None:
            return None
        return self.model if self.lora is None else f"{self.model}+{Path(self.lora).stem}"


class _CentroidsRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    sha256: str
    shape: tuple[int, int]


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["hetero-agents/router"]
    version: int
    created_utc: str
    embedding: EmbeddingSpec
    centroids: _CentroidsRef
    clusters: list[ClusterSpec]
    metadata: dict[str, Any] = Field(default_factory=dict)


class RouterArtifact:
    """Cluster centroids plus, per cluster, the tier/model/LoRA/threshold to route to.

    Args:
        embedding: The embedder the centroids were computed with.
        clusters: One spec per centroid row, in row order.
        centroids: ``(len(clusters), embedding.dim)`` array; rows are normalised here.
        metadata: Free-form provenance (pipeline run, data window, ...).
        created_utc: ISO time; now by default.
        root: The directory it was loaded from (LoRA paths resolve against it).
    """

    def __init__(
        self,
        embedding: EmbeddingSpec,
        clusters: list[ClusterSpec],
        centroids: NDArray[np.float32],
        *,
        metadata: dict[str, Any] | None = None,
        created_utc: str | None = None,
        root: Path | None = None,
    ) -> None:
        matrix = np.asarray(centroids, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape != (len(clusters), embedding.dim):
            raise ArtifactError(
                f"centroids have shape {matrix.shape}, expected ({len(clusters)}, {embedding.dim})"
                " (one row per cluster, one column per embedding dimension)"
            )
        if not np.isfinite(matrix).all():
            raise ArtifactError("centroids contain NaN or infinite values")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        if (norms == 0.0).any():
            raise ArtifactError("a centroid is the zero vector and has no direction")
        self.embedding = embedding
        self.clusters = list(clusters)
        self.centroids: NDArray[np.float32] = (matrix / norms).astype(np.float32)
        self.metadata = dict(metadata or {})
        self.created_utc = created_utc or datetime.now(UTC).isoformat(timespec="seconds")
        self.root = root

    def nearest(self, vector: NDArray[np.float32]) -> tuple[ClusterSpec, float]:
        """The cluster whose centroid is closest to a unit ``vector``, and its cosine distance."""
        if not self.clusters:
            raise ArtifactError("the artifact has no clusters")
        similarities = self.centroids @ vector
        index = int(np.argmax(similarities))
        return self.clusters[index], float(1.0 - similarities[index])

    def lora_path(self, cluster: ClusterSpec) -> Path | None:
        """The absolute path of a cluster's LoRA adapter, if it has one."""
        if cluster.lora is None:
            return None
        path = Path(cluster.lora)
        return path if path.is_absolute() or self.root is None else self.root / path

    def slm_specs(self) -> dict[str, tuple[str, Path | None]]:
        """``{slm_key: (model, lora path)}`` for every SLM the artifact routes to.

        Build the router's ``slms`` from it, e.g.
        ``{key: load_model(model, lora_path=lora) for key, (model, lora) in specs.items()}``.
        """
        specs: dict[str, tuple[str, Path | None]] = {}
        for cluster in self.clusters:
            key = cluster.slm_key
            if cluster.tier == "slm" and key is not None and cluster.model is not None:
                specs[key] = (cluster.model, self.lora_path(cluster))
        return specs

    # -- files ---------------------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the artifact into ``directory`` atomically (see the module docstring)."""
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.save(buffer, self.centroids, allow_pickle=False)
        data = buffer.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        name = f"centroids-{digest[:12]}.npy"
        keep = {name, _current_centroids(root)}
        _atomic_write(root / name, data)
        manifest = _Manifest(
            format=FORMAT,
            version=VERSION,
            created_utc=self.created_utc,
            embedding=self.embedding,
            centroids=_CentroidsRef(file=name, sha256=digest, shape=self.centroids.shape),
            clusters=self.clusters,
            metadata=self.metadata,
        )
        text = json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=False) + "\n"
        _atomic_write(root / MANIFEST, text.encode())
        # the previous centroids stay one generation, for readers that hold the old manifest
        for stale in root.glob("centroids-*.npy"):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)
        return root

    @classmethod
    def load(cls, directory: str | Path) -> RouterArtifact:
        """Read an artifact, checking its format, version, shapes and checksum.

        Raises:
            ArtifactError: Missing or corrupt files, an unknown format, or a version
                newer than this library reads (upgrade hetero-agents then).
        """
        root = Path(directory)
        path = root / MANIFEST
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ArtifactError(f"no router artifact at {root}: {MANIFEST} is missing") from None
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"cannot read {path}: {exc}") from exc
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ArtifactError(f"{path} is not a hetero-agents router manifest")
        version = raw.get("version")
        if not isinstance(version, int) or version < 1:
            raise ArtifactError(f"{path} has an invalid version {version!r}")
        if version > VERSION:
            raise ArtifactError(
                f"{path} is version {version}, newer than this hetero-agents reads ({VERSION});"
                " upgrade hetero-agents"
            )
        try:
            manifest = _Manifest.model_validate(raw)
        except ValidationError as exc:
            raise ArtifactError(f"{path} is invalid: {exc}") from exc
        centroids = _read_centroids(root, manifest.centroids)
        return cls(
            manifest.embedding,
            manifest.clusters,
            centroids,
            metadata=manifest.metadata,
            created_utc=manifest.created_utc,
            root=root.resolve(),
        )


def _current_centroids(root: Path) -> str | None:
    try:
        name = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["centroids"]["file"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return name if isinstance(name, str) else None


def _read_centroids(root: Path, ref: _CentroidsRef) -> NDArray[np.float32]:
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


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
