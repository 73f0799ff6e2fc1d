"""The router artifact: what the conversion pipeline learned, in a form the router loads.

An artifact is a directory::

    router/
      manifest.json                  what every cluster routes to (versioned, below)
      centroids-<sha12>.npy          float32 (clusters x dim), one unit row per cluster
      few_shot/c<id>-<sha12>.json    a few-shot cluster's chosen examples (version 2)
      loras/<name>.gguf              LoRA adapters (copied in by ``ArtifactRegistry``)

``manifest.json`` (format ``hetero-agents/router``, version 2)::

    {
      "format": "hetero-agents/router",
      "version": 2,
      "created_utc": "2025-01-01T00:00:00+00:00",
      "embedding": {"model": "sentence-transformers/all-MiniLM-L6-v2", "dim": 384,
                    "text_version": "v1"},
      "centroids": {"file": "centroids-0123456789ab.npy", "sha256": "...", "shape": [3, 384]},
      "clusters": [
        {"id": 0, "label": "extract dates", "task": "extract", "tier": "slm",
         "model": "qwen2.5-coder-0.5b", "lora": "loras/c0.gguf", "few_shot": null,
         "threshold": 0.35, "min_mean_logprob": -0.8, "size": 812, "score": 0.94},
        {"id": 1, ..., "few_shot": "few_shot/c1-0123456789ab.json", ...},
        ...
      ],
      "metadata": {}
    }

Per cluster: ``tier`` and ``model`` say who serves its calls, specialised by an
optional ``lora`` (a GGUF adapter, relative to the artifact or absolute) and an
optional ``few_shot`` file (the cluster's chosen examples as lossless message
dicts, relative to the artifact; new in version 2). ``threshold`` is the
largest cosine distance from the centroid at which a call still belongs to the
cluster (farther calls go to the LLM); ``min_mean_logprob`` optionally makes the
router verify the SLM's confidence. ``size`` and ``score`` are the pipeline's
evidence (calls seen, agreement with the LLM) and are informational. Version 1
manifests (no few-shot) are still read; version 2 is written.

Saving is atomic: content files are named by their hash and written first, then
the manifest is swapped in with one ``os.replace``, so a reader sees the old
artifact or the new one, never a mix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hetero_agents.errors import ArtifactError
from hetero_agents.routing import _artifact_files as files

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from numpy.typing import NDArray

    from hetero_agents.pipeline.records import Example
    from hetero_agents.routing._artifact_slms import SlmLoader

FORMAT: Final = "hetero-agents/router"
VERSION = 2
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
    few_shot: str | None = None
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
        """The name the router's ``slms`` must use for this cluster's model (+ LoRA, + shots).

        ``qwen`` (zero-shot), ``qwen+c2`` (LoRA ``c2.gguf``), ``qwen+fewshot-c3``
        (cluster 3's shots). Zero-shot clusters on one model share a key; few-shot
        keys are per cluster because the shots are.
        """
        if self.model is None:
            return None
        key = self.model
        if self.lora is not None:
            key += f"+{Path(self.lora).stem}"
        if self.few_shot is not None:
            key += f"+fewshot-c{self.id}"
        return key


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["hetero-agents/router"]
    version: int
    created_utc: str
    embedding: EmbeddingSpec
    centroids: files.CentroidsRef
    clusters: list[ClusterSpec]
    metadata: dict[str, Any] = Field(default_factory=dict)


class RouterArtifact:
    """Cluster centroids plus, per cluster, the tier/model/LoRA/shots/threshold to route to.

    Args:
        embedding: The embedder the centroids were computed with.
        clusters: One spec per centroid row, in row order.
        centroids: ``(len(clusters), embedding.dim)`` array; rows are normalised here.
        shots: Few-shot examples per cluster id. Each such cluster's ``few_shot``
            is set to the (content-named) file they will be saved in, so the spec
            always names the file that holds exactly these shots.
        metadata: Free-form provenance (pipeline run, data window, drift baseline).
        created_utc: ISO time; now by default.
        root: The directory it was loaded from (LoRA paths resolve against it).

    Raises:
        ArtifactError: Centroids of the wrong shape or degenerate; shots for an
            unknown cluster; a cluster naming a few-shot file with no shots given.
    """

    def __init__(
        self,
        embedding: EmbeddingSpec,
        clusters: list[ClusterSpec],
        centroids: NDArray[np.float32],
        *,
        shots: Mapping[int, Sequence[Example]] | None = None,
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
        self.shots: dict[int, tuple[Example, ...]] = {}
        self._few_shot_files: dict[str, bytes] = {}
        self.clusters = self._attach_shots(list(clusters), shots or {})
        self.centroids: NDArray[np.float32] = (matrix / norms).astype(np.float32)
        self.metadata = dict(metadata or {})
        self.created_utc = created_utc or datetime.now(UTC).isoformat(timespec="seconds")
        self.root = root

    def _attach_shots(
        self, clusters: list[ClusterSpec], shots: Mapping[int, Sequence[Example]]
    ) -> list[ClusterSpec]:
        unknown = set(shots) - {cluster.id for cluster in clusters}
        if unknown:
            raise ArtifactError(f"few-shot examples given for unknown clusters {sorted(unknown)}")
        attached: list[ClusterSpec] = []
        for cluster in clusters:
            chosen = tuple(shots.get(cluster.id, ()))
            if chosen:
                name, data = files.encode_few_shot(cluster.id, chosen)
                self.shots[cluster.id] = chosen
                self._few_shot_files[name] = data
                attached.append(cluster.model_copy(update={"few_shot": name}))
                continue
            if cluster.few_shot is not None:
                raise ArtifactError(
                    f"cluster {cluster.id} names the few-shot file {cluster.few_shot!r} but no "
                    "shots were given for it; pass shots={cluster_id: examples}"
                )
            attached.append(cluster)
        return attached

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

        Few-shot keys are listed with their base model; :meth:`build_slms` is the
        way to get models that also apply the shots.
        """
        specs: dict[str, tuple[str, Path | None]] = {}
        for cluster in self.clusters:
            key = cluster.slm_key
            if cluster.tier == "slm" and key is not None and cluster.model is not None:
                specs[key] = (cluster.model, self.lora_path(cluster))
        return specs

    def build_slms(
        self, loader: SlmLoader | None = None, **model_kwargs: Any
    ) -> dict[str, BaseChatModel]:
        """The router's ``slms``: one chat model per :attr:`ClusterSpec.slm_key`.

        Each distinct (model, LoRA) pair is loaded once and shared by every key on
        it; few-shot keys wrap that shared model with their cluster's shots.

        Args:
            loader: ``loader(model, **kwargs) -> BaseChatModel``; ``lora_path=`` is
                passed for LoRA clusters. Default: :func:`hetero_agents.load_model`.
            **model_kwargs: Passed to every load (``n_threads``, ``n_ctx``, ...).

        Raises:
            ArtifactError: A cluster's LoRA file is missing.
        """
        from hetero_agents.routing._artifact_slms import build_slms

        return build_slms(self, loader, model_kwargs)

    # -- files ---------------------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the artifact into ``directory`` atomically (see the module docstring).

        Content files of the previous manifest are kept one generation, for readers
        that still hold it; older ones are removed.
        """
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        name, digest, data = files.encode_centroids(self.centroids)
        keep = {name, *self._few_shot_files} | files.referenced_files(
            files.read_json(root / MANIFEST)
        )
        files.atomic_write(root / name, data)
        for relative, content in self._few_shot_files.items():
            if not (root / relative).is_file():
                files.atomic_write(root / relative, content)
        manifest = _Manifest(
            format=FORMAT,
            version=VERSION,
            created_utc=self.created_utc,
            embedding=self.embedding,
            centroids=files.CentroidsRef(file=name, sha256=digest, shape=self.centroids.shape),
            clusters=self.clusters,
            metadata=self.metadata,
        )
        text = json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=False) + "\n"
        files.atomic_write(root / MANIFEST, text.encode())
        files.remove_unreferenced(root, keep)
        return root

    @classmethod
    def load(cls, directory: str | Path) -> RouterArtifact:
        """Read an artifact, checking its format, version, shapes and checksums.

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
        if version < 2 and any(cluster.few_shot for cluster in manifest.clusters):
            raise ArtifactError(f"{path} is version {version}, which has no few-shot clusters")
        centroids = files.read_centroids(root, manifest.centroids)
        shots = {
            cluster.id: files.read_few_shot(root, cluster.few_shot, cluster.id)
            for cluster in manifest.clusters
            if cluster.few_shot is not None
        }
        return cls(
            manifest.embedding,
            manifest.clusters,
            centroids,
            shots=shots,
            metadata=manifest.metadata,
            created_utc=manifest.created_utc,
            root=root.resolve(),
        )
