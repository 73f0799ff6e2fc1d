"""The base model for fine-tuning: a GGUF read into a float32 transformers model.

Training needs float weights, and the only copy of a catalog model is its
quantised GGUF, so the GGUF is dequantised. transformers can do that itself
(``from_pretrained(dir, gguf_file=...)``), but it parses the file twice and
rebuilds gguf's tensor-name table once per submodule: about 30 s for the 135M
model on two cores, more than a short fine-tune takes. Here transformers still
reads the *config* from the GGUF and builds the model, while the weights are
dequantised in one pass with the same name and row-order rules that the adapter
writer uses (:mod:`._gguf_layout`), so reading and writing cannot drift apart.
The model trains on exactly the dequantised weights llama.cpp serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hetero_agents._extras import require
from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._gguf_layout import TensorLayout, from_gguf_rows

#: GGUF tensors that carry no trainable weight (llama.cpp recomputes them).
_DERIVED_TENSORS = frozenset({"rope_freqs.weight"})


@dataclass(frozen=True, slots=True)
class BaseModel:
    """A loaded base: the transformers model and its GGUF tensor layout."""

    model: Any
    layout: TensorLayout


def load_base(path: Path, *, device: str) -> BaseModel:
    """Dequantise the GGUF at ``path`` into a float32 causal LM on ``device``.

    Raises:
        MissingExtraError: transformers, torch or gguf is not installed.
        PipelineError: The architecture is not supported, or the file's tensors do
            not match the model its config describes.
    """
    torch = require("torch", "finetune")
    transformers = require("transformers", "finetune")
    gguf = require("gguf", "finetune")

    config = transformers.AutoConfig.from_pretrained(str(path.parent), gguf_file=path.name)
    reader = gguf.GGUFReader(str(path))
    arch = _field_text(reader, "general.architecture")
    layout = TensorLayout(
        arch=arch,
        n_blocks=int(config.num_hidden_layers),
        n_head=int(config.num_attention_heads),
        n_head_kv=int(getattr(config, "num_key_value_heads", None) or config.num_attention_heads),
    )
    with torch.device("meta"):  # names and classes only: no memory, no random init
        skeleton = transformers.AutoModelForCausalLM.from_config(config)
    expected = skeleton.state_dict().keys()
    hf_names = {layout.gguf_name(name): name for name in expected if _has_gguf_name(layout, name)}

    state: dict[str, Any] = {}
    for tensor in reader.tensors:
        if tensor.name in _DERIVED_TENSORS:
            continue
        hf_name = hf_names.get(tensor.name)
        if hf_name is None:
            raise PipelineError(
                f"{path}: GGUF tensor {tensor.name!r} has no place in the transformers "
                f"{config.model_type!r} model; the file does not match its own metadata"
            )
        weights = gguf.quants.dequantize(tensor.data, tensor.tensor_type)
        heads = layout.permuted_heads(hf_name)
        if heads is not None and hf_name.endswith(".weight"):
            weights = from_gguf_rows(weights, heads)
        state[hf_name] = torch.from_numpy(weights.astype("float32", copy=True))

    model = type(skeleton).from_pretrained(
        None, config=config, state_dict=state, dtype=torch.float32
    )
    return BaseModel(model=model.to(device), layout=layout)


def _has_gguf_name(layout: TensorLayout, hf_name: str) -> bool:
    try:
        layout.gguf_name(hf_name)
    except PipelineError:
        return False
    return True


def _field_text(reader: Any, key: str) -> str:
    field = reader.fields.get(key)
    if field is None:
        raise PipelineError(f"the GGUF has no {key!r}; it is not a model file llama.cpp can run")
    return bytes(field.parts[field.data[0]]).decode("utf-8")
