"""Writing LoRA factors as a GGUF adapter that llama.cpp loads with ``lora_path``.

What llama.cpp checks when it loads an adapter (``llama-adapter.cpp``):

* ``general.type == "adapter"``, ``adapter.type == "lora"``, and
  ``general.architecture`` equal to the base model's;
* every tensor named ``<base tensor>.lora_a`` / ``.lora_b``, in pairs, where the base
  tensor exists (``blk.3.attn_q.weight``);
* ``lora_a`` of numpy shape ``(rank, in_features)`` and ``lora_b`` of
  ``(out_features, rank)`` -- the shapes peft's ``lora_A`` / ``lora_B`` weights
  already have;
* ``adapter.lora.alpha``: llama.cpp scales ``B @ A`` by ``alpha / rank`` like peft.

For llama the rows of ``B`` on ``q``/``k`` are permuted into llama.cpp's rotary
layout (:mod:`._gguf_layout`). The file is written next to its destination and
renamed into place, so a crash never leaves a half-written adapter under that name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hetero_agents._extras import require
from hetero_agents.pipeline._gguf_layout import TensorLayout, to_gguf_rows

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

#: ``module name -> (A, B)``: peft's factors of one adapted linear layer.
LoraFactors = Mapping[str, tuple["NDArray[np.float32]", "NDArray[np.float32]"]]

MetadataValue = str | int | float


def lora_tensors(layout: TensorLayout, factors: LoraFactors) -> dict[str, NDArray[np.float32]]:
    """The adapter's GGUF tensors by name: factors renamed, checked and permuted.

    Args:
        layout: The base model's layout.
        factors: ``A`` ``(rank, in)`` and ``B`` ``(out, rank)`` per Hugging Face module
            name (``model.layers.0.self_attn.q_proj``).

    Raises:
        ValueError: A pair whose shapes do not fit together.
        PipelineError: A module with no GGUF tensor in this architecture.
    """
    numpy = require("numpy", "finetune")
    tensors: dict[str, NDArray[np.float32]] = {}
    for module, (a, b) in sorted(factors.items()):
        if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[1]:
            raise ValueError(
                f"LoRA factors of {module!r} do not fit: A {a.shape} must be (rank, in) and "
                f"B {b.shape} must be (out, rank)"
            )
        name = layout.gguf_name(module + ".weight")
        heads = layout.permuted_heads(module)
        b_rows = to_gguf_rows(b, heads) if heads is not None else b
        tensors[name + ".lora_a"] = numpy.ascontiguousarray(a, dtype=numpy.float32)
        tensors[name + ".lora_b"] = numpy.ascontiguousarray(b_rows, dtype=numpy.float32)
    return tensors


def write_lora_gguf(
    path: Path,
    layout: TensorLayout,
    factors: LoraFactors,
    *,
    alpha: float,
    metadata: Mapping[str, MetadataValue] | None = None,
) -> Path:
    """Write ``factors`` to ``path`` as a GGUF LoRA adapter, atomically.

    Args:
        path: Destination ``.gguf`` file (its folder is created if missing).
        layout: The base model's layout (architecture, heads, blocks).
        factors: See :func:`lora_tensors`.
        alpha: peft's ``lora_alpha``.
        metadata: Extra keys to record (provenance: base model, steps, ...).

    Returns:
        ``path``.

    Raises:
        ValueError: No factors, or factors whose shapes do not fit.
    """
    if not factors:
        raise ValueError("a LoRA adapter needs at least one adapted layer")
    gguf = require("gguf", "finetune")
    tensors = lora_tensors(layout, factors)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        writer = gguf.GGUFWriter(temp, layout.arch)
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
        for key, value in (metadata or {}).items():
            _add_value(writer, key, value)
        for name, array in tensors.items():
            writer.add_tensor(name, array)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        with temp.open("rb+") as out:
            os.fsync(out.fileno())
        temp.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return path


def _add_value(writer: Any, key: str, value: MetadataValue) -> None:
    if isinstance(value, bool | int):
        writer.add_int64(key, int(value))
    elif isinstance(value, float):
        writer.add_float64(key, value)
    else:
        writer.add_string(key, str(value))
