"""How a Hugging Face checkpoint's weights sit inside a GGUF: names and row order.

Both directions of the LoRA round trip need the same two facts. Reading the base
model from its GGUF turns ``blk.3.attn_q.weight`` into
``model.layers.3.self_attn.q_proj.weight``; writing the adapter turns the trained
``q_proj`` factors back into ``blk.3.attn_q.weight.lora_a`` / ``.lora_b``. Keeping
both in one place means they cannot disagree.

The second fact is llama's rotary layout: llama.cpp's converter permutes the rows
of the llama ``q``/``k`` projections (grouping the two rotary halves of each head
differently from Hugging Face), and transformers un-permutes them when it loads a
GGUF. A LoRA's ``B`` factor produces those rows, so it must be permuted back
before it goes into the GGUF; ``A`` acts on the input side and is left alone.
Qwen2 is converted without the permutation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hetero_agents._extras import require
from hetero_agents.errors import PipelineError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: GGUF architectures whose LoRA round trip is implemented and verified.
SUPPORTED_ARCHS = frozenset({"llama", "qwen2"})

#: Architectures whose q/k rows llama.cpp's converter permutes (see module docs).
_ROWS_PERMUTED = frozenset({"llama"})


@dataclass(frozen=True, slots=True)
class TensorLayout:
    """The shape facts of one base model that naming and permuting depend on.

    Attributes:
        arch: The GGUF ``general.architecture`` (``"llama"``, ``"qwen2"``).
        n_blocks: Transformer layers.
        n_head: Attention (query) heads.
        n_head_kv: Key/value heads (fewer than ``n_head`` under grouped-query attention).
    """

    arch: str
    n_blocks: int
    n_head: int
    n_head_kv: int

    def __post_init__(self) -> None:
        if self.arch not in SUPPORTED_ARCHS:
            raise PipelineError(
                f"LoRA fine-tuning supports the GGUF architectures {sorted(SUPPORTED_ARCHS)}, "
                f"not {self.arch!r}; pick a catalog model (smollm2-135m, qwen2.5-coder-0.5b, "
                "qwen2.5-coder-1.5b) or a GGUF of one of those architectures"
            )

    def gguf_name(self, hf_name: str) -> str:
        """The GGUF tensor name of a Hugging Face parameter or module.

        Args:
            hf_name: ``model.layers.0.self_attn.q_proj`` (a module) or the same with
                ``.weight`` / ``.bias`` (a parameter).

        Raises:
            PipelineError: ``hf_name`` has no GGUF counterpart in this architecture.
        """
        stem, suffix = hf_name, ""
        if hf_name.endswith((".weight", ".bias")):
            stem, _, last = hf_name.rpartition(".")
            suffix = "." + last
        name = _name_map(self.arch, self.n_blocks).get_name(stem)
        if name is None:
            raise PipelineError(
                f"{hf_name!r} has no GGUF tensor in the {self.arch!r} architecture; "
                "LoRA targets must be the attention or MLP projections"
            )
        return str(name) + suffix

    def permuted_heads(self, hf_name: str) -> int | None:
        """The head count to (un)permute ``hf_name``'s rows by, or ``None`` if stored as is."""
        if self.arch not in _ROWS_PERMUTED:
            return None
        if ".q_proj" in hf_name:
            return self.n_head
        if ".k_proj" in hf_name:
            return self.n_head_kv
        return None


@lru_cache(maxsize=8)
def _name_map(arch: str, n_blocks: int) -> Any:
    gguf = require("gguf", "finetune")
    arch_ids = {name: arch_id for arch_id, name in gguf.MODEL_ARCH_NAMES.items()}
    return gguf.get_tensor_name_map(arch_ids[arch], n_blocks)


def to_gguf_rows(weights: NDArray[np.float32], n_head: int) -> NDArray[np.float32]:
    """Reorder output rows from Hugging Face's rotary layout to llama.cpp's.

    Each head's rows ``[first half | second half]`` are interleaved pairwise, which
    is what llama.cpp's converter does to llama ``q``/``k`` projections.
    """
    rows = weights.shape[0]
    return (
        weights.reshape(n_head, 2, rows // n_head // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


def from_gguf_rows(weights: NDArray[np.float32], n_head: int) -> NDArray[np.float32]:
    """Undo :func:`to_gguf_rows` (what transformers does when it reads a llama GGUF)."""
    rows = weights.shape[0]
    return (
        weights.reshape(n_head, rows // n_head // 2, 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )
