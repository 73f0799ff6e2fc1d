"""Turn a router artifact's SLM clusters into the chat models a ``ChatRouter`` serves.

Model weights are the expensive part, so each distinct (model, LoRA) pair is
loaded exactly once: llama.cpp applies a LoRA when the model is loaded, so an
adapter needs its own instance, but every zero-shot and few-shot key on the same
pair shares one. Few-shot keys wrap that shared instance in a
``FewShotChatModel`` that prepends the cluster's shots to each request — the
same transformation S4 scored, applied live.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hetero_agents.errors import ArtifactError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from hetero_agents.routing.artifact import RouterArtifact


class SlmLoader(Protocol):
    """Loads one SLM by name; :func:`hetero_agents.load_model` is one.

    ``lora_path=`` (a ``str``) is passed only for clusters with a LoRA adapter,
    so loaders of models that take none (remote endpoints) need not accept it.
    """

    def __call__(self, model: str, /, **kwargs: Any) -> BaseChatModel: ...


def _load_catalog_model(model: str, /, **kwargs: Any) -> BaseChatModel:
    from hetero_agents.models.loader import load_model

    return load_model(model, **kwargs)


def build_slms(
    artifact: RouterArtifact,
    loader: SlmLoader | None,
    model_kwargs: dict[str, Any],
) -> dict[str, BaseChatModel]:
    """``{slm_key: chat model}`` for every SLM cluster, in cluster order (first = default)."""
    load = loader if loader is not None else _load_catalog_model
    bases: dict[tuple[str, Path | None], BaseChatModel] = {}
    slms: dict[str, BaseChatModel] = {}
    for cluster in artifact.clusters:
        key = cluster.slm_key
        if cluster.tier != "slm" or cluster.model is None or key is None or key in slms:
            continue
        lora = artifact.lora_path(cluster)
        base = bases.get((cluster.model, lora))
        if base is None:
            kwargs = dict(model_kwargs)
            if lora is not None:
                if not lora.is_file():
                    raise ArtifactError(
                        f"cluster {cluster.id}'s LoRA adapter {lora} is missing; restore it or "
                        "roll back to an artifact version that has it"
                    )
                kwargs["lora_path"] = str(lora)
            base = bases[(cluster.model, lora)] = load(cluster.model, **kwargs)
        shots = artifact.shots.get(cluster.id)
        if shots:
            from hetero_agents.pipeline.fewshot import FewShotChatModel

            slms[key] = FewShotChatModel(model=base, shots=list(shots))
        else:
            slms[key] = base
    return slms
