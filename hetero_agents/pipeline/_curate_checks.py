"""The checks and messages of ``curate``'s bad-input paths: what went wrong, and what to do."""

from __future__ import annotations

from collections import Counter

HOW_TO_RECORD = (
    "Record calls first: attach hetero_agents.CallLogger('logs.db') to your agent "
    "(config={'callbacks': [logger]}, or `with capture('logs.db'):`), run it on real "
    "traffic with the LLM, then curate LogStore('logs.db').calls()."
)


def check_options(eval_fraction: float, near_duplicate: float | None, min_eval: int) -> None:
    """Refuse parameters out of range before any work is done."""
    if not 0 <= eval_fraction < 1:
        raise ValueError(f"eval_fraction must be in [0, 1), got {eval_fraction}")
    if near_duplicate is not None and not 0 < near_duplicate <= 1:
        raise ValueError(
            f"near_duplicate must be in (0, 1] (or None to keep near duplicates), "
            f"got {near_duplicate}"
        )
    if min_eval < 0:
        raise ValueError(f"min_eval must be 0 or more, got {min_eval}")


def nothing_kept(n_in: int, dropped: Counter[str]) -> str:
    """The message when every call was dropped: the counts, and how to get usable calls."""
    counts = ", ".join(f"{reason}: {n}" for reason, n in dropped.most_common())
    hints = []
    if dropped["no_content"]:
        hints.append(
            "calls recorded without content (CallLogger(capture_content=False)) or "
            "encrypted ones read without the key cannot be learned from"
        )
    if dropped["not_llm"]:
        hints.append("calls answered by an SLM are not examples: record LLM traffic")
    if dropped["failed_validation"]:
        hints.append(
            "answers whose tool calls or JSON do not validate against the bound schemas "
            "are not examples: check that the tools bound when logging are the real ones"
        )
    hint = "; ".join(hints) or HOW_TO_RECORD
    return f"none of the {n_in} calls is usable as a training example ({counts}). {hint}"


__all__ = ["HOW_TO_RECORD", "check_options", "nothing_kept"]
