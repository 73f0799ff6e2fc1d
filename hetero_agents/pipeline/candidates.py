"""The small models S4 tries: catalog names, GGUF paths, or chat models the user already has.

A candidate is a name, a footprint and a way to get the model. Catalog and GGUF
candidates are loaded only when the selection reaches them, one at a time, and
freed right after, so trying three models never holds three in memory; their
footprint is the file size (plus the LoRA adapter's), known without loading.
A user-given model is used as it is and never freed by us.

Loading is allowed to fail: :func:`load_candidate` raises, and the selection
records the candidate as failed for every cluster instead of stopping.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hetero_agents.errors import PipelineError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

_MB = 1_000_000

Loader = Callable[[Path | None], "BaseChatModel"]
"""Builds the model, with a LoRA adapter when given a path."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A small model S4 may choose.

    Attributes:
        name: How scores and selections name it (a catalog name, a file stem, or
            the name the user gave).
        footprint_mb: Weights on disk in MB, the proxy for memory and cost; ``inf``
            when unknown (it then sorts after every measured candidate).
        loader: Builds the model; ``None`` for a user-given instance.
        model: The user-given instance; ``None`` for a loadable candidate.
        source: Where it comes from (catalog name, path, or ``"user"``), for reports.
    """

    name: str
    footprint_mb: float
    loader: Loader | None = field(default=None, repr=False, compare=False)
    model: BaseChatModel | None = field(default=None, repr=False, compare=False)
    source: str = ""

    @property
    def supports_lora(self) -> bool:
        """Whether an adapter can be applied (only to models we load ourselves)."""
        return self.loader is not None

    def footprint_with(self, lora: Path | None) -> float:
        """The footprint with ``lora`` applied (adapter file size added)."""
        if lora is None:
            return self.footprint_mb
        try:
            return self.footprint_mb + lora.stat().st_size / _MB
        except OSError:
            return self.footprint_mb


def catalog_candidate(
    name_or_path: str | os.PathLike[str],
    *,
    name: str | None = None,
    n_threads: int | None = None,
    **model_kwargs: Any,
) -> Candidate:
    """A catalog model (``"qwen2.5-coder-0.5b"``) or a ``.gguf`` path, loaded on demand.

    Args:
        name_or_path: A catalog name or a GGUF path, as ``load_model`` takes it.
        name: The candidate's name (default: the catalog name or the file stem).
        n_threads: llama.cpp threads for the replay.
        **model_kwargs: Further ``ChatLlamaCpp`` parameters (``n_ctx``, ``max_tokens``...).
    """
    from hetero_agents.models import CATALOG

    text = os.fspath(name_or_path)
    if isinstance(name_or_path, str) and text in CATALOG:
        footprint = CATALOG[text].size / _MB
        label = name or text
    else:
        path = Path(text).expanduser()
        footprint = path.stat().st_size / _MB if path.is_file() else math.inf
        label = name or path.stem

    def load(lora: Path | None) -> BaseChatModel:
        from hetero_agents.models import load_model

        options = dict(model_kwargs)
        if lora is not None:
            options["lora_path"] = str(lora)
        return load_model(name_or_path, n_threads=n_threads, **options)

    return Candidate(label, footprint, loader=load, source=text)


def model_candidate(
    name: str, model: BaseChatModel, *, footprint_mb: float | None = None
) -> Candidate:
    """A chat model the user already has (any ``BaseChatModel``).

    Args:
        name: Its name in scores and selections.
        model: The model; it is used as is and never freed.
        footprint_mb: Its size; default: the GGUF file size for a ``ChatLlamaCpp``
            with a ``model_path``, else unknown (``inf``).
    """
    if footprint_mb is None:
        path = getattr(model, "model_path", None)
        footprint_mb = (
            Path(path).stat().st_size / _MB
            if isinstance(path, str) and Path(path).is_file()
            else math.inf
        )
    return Candidate(name, footprint_mb, model=model, source="user")


def resolve_candidates(
    specs: Sequence[str | os.PathLike[str] | Candidate] | Mapping[str, Any],
    *,
    n_threads: int | None = None,
    **model_kwargs: Any,
) -> list[Candidate]:
    """Turn what the user passed into candidates, checking names are unique.

    Args:
        specs: Catalog names, GGUF paths and :class:`Candidate` objects, or a
            mapping ``name -> catalog name | path | BaseChatModel``.
        n_threads: llama.cpp threads for models loaded here.
        **model_kwargs: Further ``ChatLlamaCpp`` parameters for models loaded here.

    Raises:
        PipelineError: No candidates, two with the same name, or an entry of an
            unsupported type.
    """
    from langchain_core.language_models import BaseChatModel

    items: list[tuple[str | None, Any]] = (
        list(specs.items()) if isinstance(specs, Mapping) else [(None, s) for s in specs]
    )
    out: list[Candidate] = []
    for name, spec in items:
        if isinstance(spec, Candidate):
            out.append(spec)
        elif isinstance(spec, BaseChatModel):
            if name is None:
                raise PipelineError("a chat-model candidate needs a name: pass {name: model}")
            out.append(model_candidate(name, spec))
        elif isinstance(spec, str | os.PathLike):
            out.append(catalog_candidate(spec, name=name, n_threads=n_threads, **model_kwargs))
        else:
            raise PipelineError(
                f"unsupported candidate {spec!r}: pass a catalog name, a .gguf path, "
                "a Candidate, or {name: BaseChatModel}"
            )
    if not out:
        raise PipelineError(
            "no candidate models: name at least one (e.g. 'qwen2.5-coder-0.5b'); "
            "`hetero-agents models list` shows the catalog"
        )
    names = [c.name for c in out]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PipelineError(f"candidate names must be unique; repeated: {duplicates}")
    return out


def load_candidate(candidate: Candidate, lora: Path | None = None) -> BaseChatModel:
    """The candidate's model, loaded now (with ``lora`` applied) or the user's instance.

    Pair with :func:`release_candidate` once done with it.

    Raises:
        PipelineError: A LoRA adapter was asked of a user-given model.
        Exception: Whatever loading raised (unknown model, missing file, bad adapter).
    """
    if candidate.loader is not None:
        return candidate.loader(lora)
    if lora is not None:
        raise PipelineError(
            f"{candidate.name}: a LoRA adapter needs a catalog or GGUF candidate, "
            "not a user-given chat model"
        )
    assert candidate.model is not None
    return candidate.model


def release_candidate(candidate: Candidate, model: BaseChatModel) -> None:
    """Free a model :func:`load_candidate` loaded (a user's own model is left alone).

    llama.cpp's weights and KV cache are released now rather than at garbage
    collection, so the next candidate loads into free memory.
    """
    if candidate.loader is None:
        return
    close = getattr(getattr(model, "llama", None), "close", None)
    if callable(close):
        close()


__all__ = [
    "Candidate",
    "Loader",
    "catalog_candidate",
    "load_candidate",
    "model_candidate",
    "release_candidate",
    "resolve_candidates",
]
