"""The LoRA training loop: seeded batches, AdamW, a progress bar that shows the loss.

Deliberately plain (no ``Trainer``): a distillation run here is tens to hundreds of
small steps on a CPU, where the ``Trainer``'s machinery (accelerate, logging
integrations, checkpoint folders) costs more than it gives, and a plain loop is
easy to read and to make deterministic.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

from rich import progress as rich_progress

from hetero_agents._extras import require
from hetero_agents.pipeline._train_data import IGNORE_INDEX, Encoded

#: Gradient-norm clip: a small batch of long answers can otherwise jolt the adapter.
MAX_GRAD_NORM = 1.0


def batches(examples: Sequence[Encoded], batch_size: int, seed: int) -> Iterator[list[Encoded]]:
    """Endless batches: every example once per epoch, in a fresh seeded order each epoch.

    A batch never straddles two epochs, so no example appears twice in one batch;
    the last batch of an epoch may be smaller.
    """
    rng = random.Random(seed)  # noqa: S311 (reproducible order, not secrecy)
    order = list(range(len(examples)))
    while True:
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            yield [examples[i] for i in order[start : start + batch_size]]


def collate(batch: Sequence[Encoded], pad_id: int, device: str) -> dict[str, Any]:
    """Right-pad a batch into ``input_ids`` / ``attention_mask`` / ``labels`` tensors."""
    torch = require("torch", "finetune")
    width = max(len(item.input_ids) for item in batch)
    ids, mask, labels = [], [], []
    for item in batch:
        pad = width - len(item.input_ids)
        ids.append(item.input_ids + [pad_id] * pad)
        mask.append([1] * len(item.input_ids) + [0] * pad)
        labels.append(item.labels + [IGNORE_INDEX] * pad)
    return {
        "input_ids": torch.tensor(ids, dtype=torch.long, device=device),
        "attention_mask": torch.tensor(mask, dtype=torch.long, device=device),
        "labels": torch.tensor(labels, dtype=torch.long, device=device),
    }


def train(
    model: Any,
    examples: Sequence[Encoded],
    *,
    steps: int,
    learning_rate: float,
    batch_size: int,
    seed: int,
    pad_id: int,
    device: str,
    progress: bool,
    description: str = "fine-tuning",
) -> list[float]:
    """Run ``steps`` optimiser steps on ``model``'s trainable parameters.

    The learning rate warms up linearly over the first tenth of the steps (the
    fresh adapter's gradients are largest then), and stays constant after.

    Returns:
        The training loss of every step.
    """
    torch = require("torch", "finetune")
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=0.0)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup)
    )
    model.train()
    losses: list[float] = []
    source = batches(examples, batch_size, seed)
    bar = rich_progress.Progress(
        rich_progress.TextColumn("{task.description}"),
        rich_progress.BarColumn(),
        rich_progress.MofNCompleteColumn(),
        rich_progress.TextColumn("loss {task.fields[loss]}"),
        rich_progress.TimeElapsedColumn(),
        rich_progress.TimeRemainingColumn(),
        disable=not progress,
    )
    with bar:
        task = bar.add_task(description, total=steps, loss="-")
        for _ in range(steps):
            inputs = collate(next(source), pad_id, device)
            loss = model(**inputs).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, MAX_GRAD_NORM)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
            bar.update(task, advance=1, loss=f"{losses[-1]:.3f}")
    model.eval()
    return losses
