"""Exact and near-duplicate requests: what ``curate`` counts once.

**Exact duplicates** have the same request: the same messages (type, text,
name, tool calls and their arguments) and the same bound tools, compared as
canonical JSON. Message ids, tool-call ids, usage and response metadata are
left out: they are run bookkeeping and differ on every replay of the very same
conversation.

**Near duplicates** are requests of the same *frame* (the same system prompt
and the same bound tools, compared exactly) whose conversations, rendered as
text, have a character-shingle Jaccard similarity of at least a threshold. The
frame is matched exactly rather than shingled with the rest because in an
agent every call of a node shares a long system prompt: shingled together, two
calls asking different questions of the same node already look 80% alike, so
a 0.9 threshold would sit in the noise (and LSH would compare nearly every
pair). The conversation is compared in full rather than only its last user
turn (as :func:`~hetero_agents.routing.text.routing_text` does) because a
tool-calling loop sends the same user turn several times, followed by
different tool results; those are different examples, not duplicates.

Near duplicates are found with MinHash signatures (:mod:`._minhash`) and LSH
banding, in time linear in the number of requests: each request is compared
only with the kept requests it shares a band with (at most 64 per band). The number of bands is
chosen so that a pair whose signatures agree on at least ``threshold`` of
their bins *must* share a band (pigeonhole: fewer bins disagree than there
are bands), so LSH loses no pair the signature estimate would accept.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hetero_agents.pipeline._minhash import BINS, signatures, similarity

_BODY_CHARS = 2000
_MAX_BANDS = BINS // 2  # at least two bins per band, or buckets fill with chance matches
# Kept requests remembered per bucket. Templated traffic (one long prompt, a short varying
# part) fills some buckets with requests that only look alike; capping them bounds the work
# per request. A true near duplicate agrees on about 5 of 13 bands at 0.9, so it is still
# found through another band unless every one of its bands is full.
_BUCKET_CAP = 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_key(messages: Sequence[Mapping[str, Any]], tools: Any) -> str:
    """A digest of what a request asks, equal for exact duplicates (see the module doc)."""
    essence = [_message_essence(message) for message in messages]
    payload = canonical_json([essence, tools or []])
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def frame_and_body(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]] | None
) -> tuple[str, str]:
    """The exact-match frame (system prompt, tool names) and the shingled body of a request.

    The body is the non-system messages as ``type: text`` lines (tool calls as
    ``name(arguments)``); only its last 2,000 characters are kept, where two
    calls of one conversation differ.
    """
    system: list[str] = []
    lines: list[str] = []
    for message in messages:
        data = message.get("data") or {}
        text = content_text(data.get("content"))
        if message.get("type") == "system":
            system.append(text)
            continue
        calls = " ".join(
            f"{call.get('name')}({canonical_json(call.get('args'))})"
            for call in data.get("tool_calls") or ()
            if isinstance(call, Mapping)
        )
        lines.append(f"{message.get('type')}: {text} {calls}".rstrip())
    names = sorted(str((tool.get("function") or tool).get("name")) for tool in tools or ())
    frame = "\n".join(system) + "\x00" + ",".join(names)
    body = "\n".join(lines)
    return frame, body[-_BODY_CHARS:]


def content_text(content: Any) -> str:
    """The text of a stored message ``content``: the string, or its text blocks joined."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, Mapping) and isinstance(block.get("text"), str):
            parts.append(block["text"])
    return "".join(parts)


def bands_for(threshold: float, bins: int = BINS) -> int:
    """The fewest LSH bands that cannot miss a pair agreeing on ``threshold`` of ``bins``."""
    disagreeing = bins - math.ceil(threshold * bins - 1e-9)
    return max(1, min(disagreeing + 1, _MAX_BANDS))


def near_duplicates(
    frames: Sequence[str], bodies: Sequence[str], threshold: float
) -> list[int | None]:
    """For each request, the index of an earlier kept request it nearly duplicates, or ``None``.

    Requests are taken in the given order; the first of a group of near
    duplicates is kept and later ones point to it. A request is compared only
    with *kept* requests, so a chain of small edits (A ~ B ~ C, A !~ C) keeps
    A and C: nothing is dropped for resembling something that was dropped.

    Args:
        frames: Per request, the text that must match exactly.
        bodies: Per request, the text compared by shingle Jaccard.
        threshold: Minimum estimated Jaccard similarity, in ``(0, 1]``.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"the near-duplicate threshold must be in (0, 1], got {threshold}")
    sigs = signatures(bodies)
    n_bands = bands_for(threshold)
    rows = BINS // n_bands
    frame_ids: dict[str, int] = {}
    buckets: dict[bytes, list[int]] = {}
    result: list[int | None] = []
    for index, frame in enumerate(frames):
        prefix = frame_ids.setdefault(frame, len(frame_ids)).to_bytes(8, "little")
        signature = sigs[index]
        keys = [
            prefix
            + band.to_bytes(2, "little")
            + signature[band * rows : (band + 1) * rows].tobytes()
            for band in range(n_bands)
        ]
        candidates = sorted({kept for key in keys for kept in buckets.get(key, ())})
        match: int | None = None
        if candidates:
            scores = similarity(signature, sigs[candidates])
            passing = np.flatnonzero(scores >= threshold - 1e-9)
            if passing.size:
                match = candidates[int(passing[0])]
        result.append(match)
        if match is None:
            for key in keys:
                bucket = buckets.setdefault(key, [])
                if len(bucket) < _BUCKET_CAP:
                    bucket.append(index)
    return result


def _message_essence(message: Mapping[str, Any]) -> list[Any]:
    data = message.get("data") or {}
    calls = [
        [call.get("name"), call.get("args")]
        for call in data.get("tool_calls") or ()
        if isinstance(call, Mapping)
    ]
    return [message.get("type"), data.get("content"), data.get("name"), calls]


__all__ = [
    "bands_for",
    "canonical_json",
    "content_text",
    "frame_and_body",
    "near_duplicates",
    "request_key",
]
