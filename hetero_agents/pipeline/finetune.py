"""S5 ``finetune``: distil a cluster's LLM answers into a LoRA for a catalog SLM.

The paper's specialisation step on one machine: the base SLM is read from the
same GGUF that llama.cpp serves, dequantised to float32 and wrapped with a peft
LoRA on its attention projections (optionally the MLP too); it is trained on the
LLM's recorded answers, with loss on the answer tokens only, over token sequences
that are exactly what ``ChatLlamaCpp`` reads and writes (:mod:`._train_data`).
The adapter is written as a GGUF LoRA, so serving it is
``load_model(base, lora_path=result.path)``: no merged model, no conversion step,
a file of a few megabytes per cluster.

Only the ``train`` split is learned from; the ``eval`` split stays unseen, so the
LoRA mode is compared honestly with zero- and few-shot in S4.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hetero_agents._extras import require
from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._base_model import load_base
from hetero_agents.pipeline._gguf_layout import SUPPORTED_ARCHS
from hetero_agents.pipeline._lora_gguf import write_lora_gguf
from hetero_agents.pipeline._lora_train import train
from hetero_agents.pipeline._train_data import ChatEncoder, Encoded
from hetero_agents.pipeline.records import Example

#: Fewest train-split examples a fine-tune accepts: below this a LoRA memorises
#: answers instead of learning the cluster's format.
MIN_EXAMPLES = 4

#: peft target modules: attention projections (Llama and Qwen2 names) ...
ATTENTION_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj")
#: ... and, with ``mlp=True``, the feed-forward projections.
MLP_TARGETS = ("gate_proj", "up_proj", "down_proj")

#: File name used when ``out`` is a folder.
ADAPTER_FILE = "adapter.gguf"

_PEFT_PREFIX = "base_model.model."


@dataclass(frozen=True, slots=True)
class LoraResult:
    """A finished fine-tune.

    Attributes:
        path: The GGUF LoRA adapter (load it with ``lora_path=``).
        base_model: The catalog name or GGUF path it was trained on (and must be
            served with: an adapter only fits its own base).
        steps: Optimiser steps run.
        losses: Training loss per step.
        n_examples: Train-split examples learned from.
        seconds: Wall time of the whole run (loading, training, writing).
        skipped: Examples left out: longer than ``max_length``, or with content a
            text-only model cannot read.
    """

    path: Path
    base_model: str
    steps: int
    losses: list[float] = field(repr=False)
    n_examples: int
    seconds: float
    skipped: int = 0


def finetune(
    examples: Sequence[Example],
    *,
    base_model: str = "smollm2-135m",
    out: str | Path,
    steps: int = 60,
    rank: int = 8,
    alpha: int = 16,
    learning_rate: float = 2e-4,
    batch_size: int = 4,
    max_length: int = 1024,
    seed: int = 0,
    device: str | None = None,
    progress: bool = True,
    mlp: bool = False,
) -> LoraResult:
    """Train a LoRA of ``base_model`` on the LLM's answers in ``examples``.

    Args:
        examples: Curated calls, typically one cluster's; only ``split == "train"``
            ones are used.
        base_model: A catalog name (``smollm2-135m``, ``qwen2.5-coder-0.5b``,
            ``qwen2.5-coder-1.5b``) or a ``.gguf`` path of a llama or qwen2 model.
        out: The adapter file to write (``.gguf``), or a folder to write
            ``adapter.gguf`` into. Written atomically.
        steps: Optimiser steps (one batch each).
        rank: LoRA rank.
        alpha: LoRA alpha; the update is scaled by ``alpha / rank``.
        learning_rate: Peak AdamW learning rate.
        batch_size: Sequences per step.
        max_length: Longest sequence (prompt plus answer) in tokens; longer
            examples are skipped rather than cut, since a cut prompt is not what
            the model will see.
        seed: Seeds the adapter's initialisation and the batch order.
        device: ``"cpu"``, ``"cuda"``, ...; ``None`` picks CUDA when available.
        progress: Show a progress bar with the running loss.
        mlp: Adapt the MLP projections as well as attention (more capacity, about
            three times the adapter size and step time).

    Returns:
        The adapter and how training went.

    Raises:
        MissingExtraError: The ``finetune`` (torch, peft, transformers, gguf) or
            ``local`` (llama-cpp-python) extra is missing.
        PipelineError: Too few usable train examples, or an unsupported architecture.
        ModelError: ``base_model`` cannot be found or loaded.
        ValueError: A non-positive ``steps``, ``rank``, ``alpha``, ``batch_size``,
            ``max_length`` or ``learning_rate``.
    """
    _check_settings(
        steps=steps,
        rank=rank,
        alpha=alpha,
        batch_size=batch_size,
        max_length=max_length,
        learning_rate=learning_rate,
    )
    started = time.perf_counter()
    train_split = [example for example in examples if example.split == "train"]
    _require_enough(len(train_split), "train-split examples were given")
    torch = require("torch", "finetune")
    peft = require("peft", "finetune")
    require("transformers", "finetune")
    require("gguf", "finetune")

    from hetero_agents.models.loader import resolve_model

    path = resolve_model(base_model).path
    encoder = ChatEncoder(path)
    if encoder.architecture not in SUPPORTED_ARCHS:
        raise PipelineError(
            f"{base_model}: LoRA fine-tuning supports llama and qwen2 models, not "
            f"{encoder.architecture!r}; pick smollm2-135m or a qwen2.5-coder model"
        )
    encoded = _encode_all(encoder, train_split, max_length)
    _require_enough(len(encoded), f"train-split examples fit in max_length={max_length} tokens")

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)
    base = load_base(path, device=device)
    targets = [*ATTENTION_TARGETS, *(MLP_TARGETS if mlp else ())]
    config = peft.LoraConfig(
        r=rank, lora_alpha=alpha, lora_dropout=0.0, bias="none", target_modules=targets
    )
    with warnings.catch_warnings():
        # peft asks transformers a deprecated question on every forward pass; not ours
        warnings.filterwarnings("ignore", ".*is_gradient_checkpointing", FutureWarning)
        model = peft.get_peft_model(base.model, config)
        losses = train(
            model,
            encoded,
            steps=steps,
            learning_rate=learning_rate,
            batch_size=batch_size,
            seed=seed,
            pad_id=encoder.eos_id,
            device=device,
            progress=progress,
            description=f"fine-tuning {Path(base_model).name}",
        )
    adapter = write_lora_gguf(
        _adapter_path(out),
        base.layout,
        _factors(model, peft),
        alpha=alpha,
        metadata={
            "general.name": f"{Path(base_model).name} LoRA (hetero-agents)",
            "hetero_agents.base_model": str(base_model),
            "hetero_agents.lora.rank": rank,
            "hetero_agents.lora.targets": ",".join(targets),
            "hetero_agents.training.steps": steps,
            "hetero_agents.training.examples": len(encoded),
            "hetero_agents.training.final_loss": losses[-1],
        },
    )
    return LoraResult(
        path=adapter,
        base_model=str(base_model),
        steps=steps,
        losses=losses,
        n_examples=len(encoded),
        seconds=time.perf_counter() - started,
        skipped=len(train_split) - len(encoded),
    )


def _check_settings(**settings: float) -> None:
    bad = sorted(name for name, value in settings.items() if not value > 0)
    if bad:
        raise ValueError(f"finetune settings must be positive: {', '.join(bad)}")


def _require_enough(n: int, what: str) -> None:
    if n < MIN_EXAMPLES:
        raise PipelineError(
            f"fine-tuning needs at least {MIN_EXAMPLES} examples but only {n} {what}; "
            "record more calls for this task (or use few-shot mode for small clusters)"
        )


def _encode_all(
    encoder: ChatEncoder, examples: Sequence[Example], max_length: int
) -> list[Encoded]:
    encoded: list[Encoded] = []
    for example in examples:
        try:
            item = encoder.encode(example)
        except ValueError:  # non-text content: not something this model can learn from
            continue
        if len(item.input_ids) <= max_length:
            encoded.append(item)
    return encoded


def _adapter_path(out: str | Path) -> Path:
    path = Path(os.fspath(out)).expanduser()
    return path if path.suffix.lower() == ".gguf" else path / ADAPTER_FILE


def _factors(model: Any, peft: Any) -> dict[str, tuple[Any, Any]]:
    """``module -> (A, B)`` as float32 numpy arrays, with peft's wrapper prefix removed."""
    factors: dict[str, tuple[Any, Any]] = {}
    for name, module in model.named_modules():
        if isinstance(module, peft.tuners.lora.LoraLayer) and "default" in module.lora_A:
            a = module.lora_A["default"].weight.detach().float().cpu().numpy()
            b = module.lora_B["default"].weight.detach().float().cpu().numpy()
            factors[name.removeprefix(_PEFT_PREFIX)] = (a, b)
    return factors
