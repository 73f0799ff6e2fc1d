"""Embed each distinct routing text once: embedding is almost all of S3's cost.

Agent traffic repeats itself (the same prompt for the same node, retries,
polling loops), and identical texts have identical vectors, so S3 embeds the
distinct texts only and carries each one's multiplicity as a weight. The
texts go to the embedder sorted by length, so each batch pads little.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._progress import progress_bar

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from hetero_agents.routing.embedders import Embedder

EMBED_BATCH = 256
"""Texts per call to the embedder (one progress tick each)."""


@dataclass(frozen=True, slots=True)
class UniqueTexts:
    """Distinct texts, which one each input was, and how often each occurred.

    Attributes:
        texts: The distinct texts, in first-seen order.
        inverse: For each input position, its index in ``texts``.
        counts: How many inputs each distinct text stands for (float, a weight).
    """

    texts: list[str]
    inverse: NDArray[np.intp]
    counts: NDArray[np.float64]


def unique_texts(texts: Sequence[str]) -> UniqueTexts:
    """Collapse ``texts`` to distinct ones (exact match)."""
    index: dict[str, int] = {}
    inverse = np.fromiter(
        (index.setdefault(text, len(index)) for text in texts), dtype=np.intp, count=len(texts)
    )
    counts = np.bincount(inverse, minlength=len(index)).astype(np.float64)
    return UniqueTexts(texts=list(index), inverse=inverse, counts=counts)


def embed_texts(
    texts: Sequence[str], embedder: Embedder, *, progress: bool = True
) -> NDArray[np.float32]:
    """Embed ``texts`` in length-sorted batches into a ``(len(texts), dim)`` array.

    Raises:
        PipelineError: The embedder returned vectors of the wrong shape.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    with progress_bar("embedding calls", len(texts), enabled=progress) as bar:
        for start in range(0, len(order), EMBED_BATCH):
            rows = order[start : start + EMBED_BATCH]
            vectors = np.asarray(embedder.embed([texts[i] for i in rows]), dtype=np.float32)
            if vectors.shape != (len(rows), embedder.dim):
                raise PipelineError(
                    f"embedder {embedder.name!r} returned shape {vectors.shape} for "
                    f"{len(rows)} texts; expected ({len(rows)}, {embedder.dim}). "
                    "Check that its dim attribute matches its model."
                )
            out[rows] = vectors
            bar.advance(len(rows))
    return out


def default_embedder() -> Embedder:
    """The bundled all-MiniLM-L6-v2, in bfloat16 where the CPU computes it natively.

    The full transformer stays the default because it is what the end-to-end
    savings run validated: with it the routed agent kept all of the LLM-only
    task success, while the static distillation (:func:`static_embedder`,
    a hundred times cheaper) cut the same log into coarser clusters and lost two
    of ten held-out tasks (``benchmarks/RESULTS.md``). Pick the static one for
    very large logs or when a routing decision must cost under a millisecond.

    On CPUs with AMX or AVX512-BF16 bfloat16 is about twice as fast as float32
    for batched encoding, and its vectors agree with float32's to a cosine of
    about 0.999, so the router may embed live calls in either precision.
    Elsewhere bfloat16 is emulated (slow), so float32 is used.
    """
    from hetero_agents.routing.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(precision="bfloat16" if _native_bf16() else "float32")


def static_embedder() -> Embedder:
    """The static distillation of the bundled all-MiniLM-L6-v2 (built on first use).

    About a hundred times cheaper than MiniLM's forward pass (0.4 ms a text on
    two cores), and it separates the known-task workload's agents as well, but
    word order and context are lost, so closely related tasks merge sooner.
    """
    from hetero_agents.routing.embedders import SentenceTransformerEmbedder
    from hetero_agents.routing.static_minilm import STATIC_MINILM_NAME

    return SentenceTransformerEmbedder(STATIC_MINILM_NAME)


def _native_bf16() -> bool:
    try:
        import torch

        capability = torch._C._cpu._get_cpu_capability()
    except (ImportError, AttributeError, RuntimeError):
        return False
    return bool(capability.get("amx_bf16") or capability.get("avx512_bf16"))
