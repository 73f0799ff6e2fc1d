"""Make an artifact self-contained: copy its LoRA adapters in beside the manifest.

S5 writes adapters wherever its working directory is; a published version must
not depend on those files staying put (or staying the same), so each adapter is
copied into the version's ``loras/`` and the cluster specs are rewritten to the
relative copies. An adapter shared by several clusters is copied once.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Final

from hetero_agents.errors import ArtifactError
from hetero_agents.routing.artifact import ClusterSpec, RouterArtifact

LORA_DIR: Final = "loras"


def bundle_loras(artifact: RouterArtifact, directory: Path) -> RouterArtifact:
    """Copy ``artifact``'s adapters into ``directory / "loras"``; the artifact that points at them.

    File names are kept (the adapter's stem is part of the cluster's ``slm_key``),
    except that a second, different adapter with a name already taken gets the
    cluster id appended.

    Raises:
        ArtifactError: An adapter file is missing.
    """
    copied: dict[Path, str] = {}
    taken: set[str] = set()
    clusters: list[ClusterSpec] = []
    for cluster in artifact.clusters:
        source = artifact.lora_path(cluster)
        if source is None:
            clusters.append(cluster)
            continue
        if not source.is_file():
            raise ArtifactError(
                f"cluster {cluster.id}'s LoRA adapter {source} does not exist; re-run finetune "
                "or select without LoRA"
            )
        key = source.resolve()
        relative = copied.get(key)
        if relative is None:
            name = source.name if source.name not in taken else f"{source.stem}-c{cluster.id}.gguf"
            taken.add(name)
            relative = copied[key] = f"{LORA_DIR}/{name}"
            _copy_durably(source, directory / relative)
        clusters.append(cluster.model_copy(update={"lora": relative}))
    return RouterArtifact(
        artifact.embedding,
        clusters,
        artifact.centroids,
        shots=artifact.shots,
        metadata=artifact.metadata,
        created_utc=artifact.created_utc,
        root=directory,
    )


def _copy_durably(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
