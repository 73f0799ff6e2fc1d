"""Exact request keys, MinHash estimates and LSH near-duplicate search, including at scale."""

from __future__ import annotations

import random
import string
import time

import numpy as np
import pytest

from hetero_agents.pipeline._dedupe import bands_for, frame_and_body, near_duplicates, request_key
from hetero_agents.pipeline._minhash import BINS, signatures, similarity


def _message(kind: str, content: str, **data: object) -> dict[str, object]:
    return {"type": kind, "data": {"content": content, **data}}


def _jaccard(a: str, b: str, k: int = 5) -> float:
    left = {a[i : i + k] for i in range(len(a) - k + 1)}
    right = {b[i : i + k] for i in range(len(b) - k + 1)}
    return len(left & right) / len(left | right)


def test_request_key_ignores_run_bookkeeping_but_not_content() -> None:
    call = {"name": "f", "args": {"x": 1}, "type": "tool_call"}
    first = [
        _message("human", "hi", id="run-1"),
        _message("ai", "", tool_calls=[{**call, "id": "call_a"}], id="run-2"),
    ]
    replay = [
        _message("human", "hi", id="run-9"),
        _message("ai", "", tool_calls=[{**call, "id": "call_z"}], id="run-8"),
    ]
    other_args = [
        _message("human", "hi"),
        _message("ai", "", tool_calls=[{**call, "args": {"x": 2}}]),
    ]
    tools = [{"type": "function", "function": {"name": "f"}}]
    assert request_key(first, tools) == request_key(replay, tools)
    assert request_key(first, tools) != request_key(other_args, tools)
    assert request_key(first, tools) != request_key(first, None)


def test_frame_holds_system_prompt_and_tool_names_body_the_conversation() -> None:
    messages = [
        _message("system", "You book hotels."),
        _message("human", [{"type": "text", "text": "Room in Oslo"}]),
        _message("ai", "", tool_calls=[{"name": "book", "args": {"city": "Oslo"}}]),
        _message("tool", "done"),
    ]
    tools = [{"type": "function", "function": {"name": "book"}}, {"name": "cancel"}]
    frame, body = frame_and_body(messages, tools)
    assert frame == "You book hotels.\x00book,cancel"
    assert body == 'human: Room in Oslo\nai:  book({"city":"Oslo"})\ntool: done'


def test_minhash_estimates_jaccard_within_its_standard_error() -> None:
    rng = random.Random(0)
    base = "".join(rng.choices(string.ascii_lowercase + " ", k=800))
    variants = [base[: 800 - cut] + "".join(rng.choices("xyz", k=cut)) for cut in (0, 20, 80, 300)]
    sigs = signatures(variants)
    estimates = similarity(sigs[0], sigs)
    for text, estimate in zip(variants, estimates, strict=True):
        assert abs(estimate - _jaccard(base, text)) < 4 * (0.25 / BINS) ** 0.5
    assert signatures(["ab"]).shape == (1, BINS)  # shorter than a shingle still has one


def test_bands_guarantee_that_no_pair_above_the_threshold_is_missed() -> None:
    for threshold in (0.6, 0.8, 0.9, 0.95, 1.0):
        bands = bands_for(threshold)
        disagreeing = BINS - int(np.ceil(threshold * BINS))
        assert disagreeing < bands <= BINS  # pigeonhole: some band agrees entirely
    assert bands_for(1.0) == 1


def test_near_duplicates_keep_the_first_need_the_same_frame_and_do_not_chain() -> None:
    rng = random.Random(3)
    a = "".join(rng.choices(string.ascii_lowercase + " ", k=800))
    b = a[:100] + "".join(rng.choices("0123456789", k=70)) + a[170:]  # near a
    c = b[:500] + "".join(rng.choices("0123456789", k=70)) + b[570:]  # near b, not a
    # thresholds about two standard errors of the estimate away from the true values
    assert min(_jaccard(a, b), _jaccard(b, c)) > 0.82
    assert _jaccard(a, c) < 0.69
    result = near_duplicates(["f", "f", "f", "g"], [a, b, c, b], 0.76)
    assert result[0] is None
    assert result[1] == 0
    assert result[2] is None  # b was dropped, so c is compared with a only: kept
    assert result[3] is None  # same text, other frame (another system prompt or tool set)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        near_duplicates(["f"], [a], 1.5)


def test_near_duplicate_search_scales_linearly_to_20k_requests() -> None:
    rng = random.Random(7)
    vocabulary = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(4000)
    ]
    bodies: list[str] = []
    planted: dict[int, int] = {}
    for index in range(20_000):
        if index % 10 == 9:  # a copy of an earlier original with one word changed
            source = rng.randrange(index)
            while source in planted:
                source = rng.randrange(index)
            planted[index] = source
            tokens = bodies[source].split()
            tokens[rng.randrange(len(tokens))] = "changed"
            bodies.append(" ".join(tokens))
        else:
            bodies.append(" ".join(rng.choices(vocabulary, k=80)))
    frames = [f"node-{index % 3}" if index not in planted else "" for index in range(20_000)]
    for index, source in planted.items():
        frames[index] = frames[source]
    started = time.perf_counter()
    result = near_duplicates(frames, bodies, 0.9)
    elapsed = time.perf_counter() - started
    found = sum(result[index] == source for index, source in planted.items())
    false = [i for i, match in enumerate(result) if match is not None and i not in planted]
    assert found >= 0.9 * len(planted)  # one changed word of 80: Jaccard about 0.96
    assert false == []
    assert elapsed < 30  # a few seconds on a quiet 2-core machine; O(n^2) would take minutes
