"""Train / eval split per group, stratified and reproducible.

Every group (a known task, else a LangGraph node, else a bound tool set) is
split on its own, so each task is represented in both halves in proportion
and a rare task cannot end up with no eval calls while a common one has
hundreds. Within a group, calls are ordered by a keyed hash of their id and
the first ``n_eval`` go to eval: the split depends only on the ids and the
seed, never on the order the calls arrive in, and a call's rank never changes,
so adding calls later only moves the boundary (few calls change sides).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

from hetero_agents.pipeline.records import Split


def group_of(task: str | None, node: str | None, tool_names: Sequence[str]) -> str:
    """The stratification key: ``task:…``, else ``node:…``, else ``tools:…``, else ``default``."""
    if task:
        return f"task:{task}"
    if node:
        return f"node:{node}"
    if tool_names:
        return "tools:" + ",".join(sorted(tool_names))
    return "default"


def eval_size(n: int, eval_fraction: float, min_eval: int) -> int:
    """How many of a group's ``n`` calls go to eval.

    ``round(eval_fraction * n)``, raised to ``min_eval`` (when a fraction is
    asked for at all), and always leaving at least one call in train, since
    few-shot prompts and fine-tuning need train examples of every task.
    """
    if n < 2 or eval_fraction <= 0:
        return 0
    wanted = max(round(eval_fraction * n), min_eval)
    return max(0, min(wanted, n - 1))


def assign_splits(
    items: Iterable[tuple[str, str]],
    *,
    eval_fraction: float,
    seed: int,
    min_eval: int,
) -> tuple[dict[str, Split], list[str]]:
    """Split ``(call_id, group)`` pairs; return ``call_id -> split`` and notes for the user.

    Raises:
        ValueError: ``eval_fraction`` outside ``[0, 1)`` or a negative ``min_eval``.
    """
    if not 0 <= eval_fraction < 1:
        raise ValueError(f"eval_fraction must be in [0, 1), got {eval_fraction}")
    if min_eval < 0:
        raise ValueError(f"min_eval must be 0 or more, got {min_eval}")
    groups: dict[str, list[str]] = defaultdict(list)
    for call_id, group in items:
        groups[group].append(call_id)
    splits: dict[str, Split] = {}
    notes: list[str] = []
    for group in sorted(groups):
        members = sorted(groups[group], key=lambda call_id: _rank(call_id, seed))
        n_eval = eval_size(len(members), eval_fraction, min_eval)
        for position, call_id in enumerate(members):
            splits[call_id] = "eval" if position < n_eval else "train"
        if len(members) == 1 and eval_fraction > 0:
            notes.append(
                f"group {group!r} has a single call: it went to train, so it has no eval "
                "call and S4 cannot score a small model on it; record more calls of it"
            )
    return splits, notes


def _rank(call_id: str, seed: int) -> bytes:
    return hashlib.blake2b(call_id.encode("utf-8"), digest_size=8, key=_seed_key(seed)).digest()


def _seed_key(seed: int) -> bytes:
    return seed.to_bytes(16, "little", signed=True)


__all__ = ["assign_splits", "eval_size", "group_of"]
