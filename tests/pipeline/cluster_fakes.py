"""Synthetic calls of known tasks for the clustering tests (no weights, no BFCL)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from langchain_core.messages import AIMessage, messages_to_dict

from hetero_agents.pipeline.records import Example
from hetero_agents.routing.embedders import HashingEmbedder

VOCABULARY = {
    "weather": "forecast rain temperature humidity wind sunny cloudy storm degrees snow",
    "billing": "invoice refund payment charge card subscription receipt balance overdue",
    "coding": "python function bug compile error stack trace variable refactor unittest",
    "travel": "flight hotel booking airport passport luggage itinerary train seat visa",
    "cooking": "recipe oven bake flour sugar butter simmer garlic onion pasta",
}


def task_example(call_id: str, task: str, rng: random.Random, *, words: int = 6) -> Example:
    """One call of ``task``: its own system prompt and tool, random words of its vocabulary."""
    request = " ".join(rng.choices(VOCABULARY[task].split(), k=words))
    text = f"system: You are the {task} assistant.\nuser: {request}\ntools: {task}_lookup"
    return example(call_id, text, task=task, tool=f"{task}_lookup")


def example(
    call_id: str, text: str, *, task: str | None = None, tool: str | None = None
) -> Example:
    calls = [{"name": tool, "args": {"q": text[-10:]}, "id": f"c-{call_id}"}] if tool else []
    answer = AIMessage(content="" if calls else "ok", tool_calls=calls)
    return Example(
        call_id=call_id,
        text=text,
        messages=[],
        tools=None,
        response=messages_to_dict([answer])[0],
        split="train",
        group=task or "",
        task=task,
        node="agent",
    )


def workload(
    tasks: Sequence[str], per_task: int, *, seed: int = 0, prefix: str = "c"
) -> list[Example]:
    rng = random.Random(seed)
    calls = [
        task_example(f"{prefix}{task}-{i}", task, rng) for task in tasks for i in range(per_task)
    ]
    rng.shuffle(calls)
    return calls


class CountingEmbedder:
    """A :class:`HashingEmbedder` that remembers every text it was asked to embed."""

    def __init__(self, dim: int = 256, name: str | None = None) -> None:
        self._inner = HashingEmbedder(dim)
        self.dim = dim
        self.name = name or self._inner.name
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self._inner.embed(texts)
