"""The split rules on their own: quota per group, ranks by keyed hash, group keys."""

from __future__ import annotations

import pytest

from hetero_agents.pipeline._split import assign_splits, eval_size, group_of


@pytest.mark.parametrize(
    ("n", "fraction", "min_eval", "expected"),
    [
        (1, 0.2, 1, 0),  # a single call stays in train
        (2, 0.2, 1, 1),  # min_eval lifts round(0.4) = 0 to 1
        (2, 0.9, 1, 1),  # but one call always stays in train
        (10, 0.2, 1, 2),
        (10, 0.0, 1, 0),  # no fraction, no eval, whatever min_eval says
        (3, 0.2, 0, 1),
    ],
)
def test_eval_size(n: int, fraction: float, min_eval: int, expected: int) -> None:
    assert eval_size(n, fraction, min_eval) == expected


def test_group_key_prefers_task_then_node_then_tools() -> None:
    assert group_of("refund", "triage", ["b", "a"]) == "task:refund"
    assert group_of(None, "triage", ["b", "a"]) == "node:triage"
    assert group_of(None, None, ["b", "a"]) == "tools:a,b"
    assert group_of(None, None, []) == "default"


def test_adding_calls_keeps_each_calls_rank() -> None:
    ids = [f"call-{i}" for i in range(50)]
    before, _ = assign_splits(((i, "g") for i in ids), eval_fraction=0.2, seed=5, min_eval=1)
    after, _ = assign_splits(
        ((i, "g") for i in [*ids, *(f"new-{i}" for i in range(50))]),
        eval_fraction=0.1,  # same eval quota (10) over twice the calls
        seed=5,
        min_eval=1,
    )
    old_eval = {i for i, split in before.items() if split == "eval"}
    new_eval_old_calls = {i for i in ids if after[i] == "eval"}
    assert len(old_eval) == 10
    assert new_eval_old_calls <= old_eval  # no old train call moved to eval


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="eval_fraction"):
        assign_splits([], eval_fraction=1.0, seed=0, min_eval=1)
    with pytest.raises(ValueError, match="min_eval"):
        assign_splits([], eval_fraction=0.2, seed=0, min_eval=-2)
