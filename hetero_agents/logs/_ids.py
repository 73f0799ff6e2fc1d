"""Sortable ids for log rows (ULIDs), made cheaply on the agent's calling thread.

A ULID is 48 bits of milliseconds since the epoch followed by 80 random bits,
written as 26 Crockford base32 characters. Sorting ids sorts rows by time,
which is what ``datasette`` and the CLI show first. ``python-ulid`` builds an
object per id; the logger only needs the string, at less than half the cost,
once per recorded call.

The logger splits the two steps between its threads. The agent's thread only
draws the 128-bit number (:func:`ulid_int`: one shift and one call into C); the
writer thread spells it (:func:`ulid_text`). Spelling looks up eight to thirteen
strings scattered in memory, which costs little in a tight loop and ten times
that between two steps of a real graph, when none of them is in the CPU's cache.
"""

from __future__ import annotations

import random

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Two base32 digits per lookup halves the encoder's Python-level work.
_PAIRS = tuple(a + b for a in _ALPHABET for b in _ALPHABET)
_TIME_SHIFTS = tuple(range(40, -1, -10))
_RANDOM_MASK = (1 << 80) - 1
_getrandbits = random.getrandbits
# The time part of the last id: calls that start within one millisecond share it.
# One tuple, replaced whole, so threads never see a prefix of another millisecond.
_last_time: list[tuple[int, str]] = [(-1, "")]


def new_ulid(timestamp: float) -> str:
    """A new ULID whose time part is ``timestamp``, as text.

    Args:
        timestamp: Seconds since the epoch, as from ``time.time()``; the id then
            sorts with the moment the call started rather than when it was written.

    Returns:
        A 26-character upper-case Crockford base32 string.
    """
    return ulid_text(ulid_int(timestamp))


def ulid_int(timestamp: float) -> int:
    """A new ULID whose time part is ``timestamp``, as its 128-bit number.

    The random part comes from the ``random`` module's global generator: ids
    must be unique, not secret, and that generator is reseeded in every forked
    child, so worker processes never repeat each other.
    """
    return (int(timestamp * 1000) << 80) | _getrandbits(80)


def ulid_text(ulid: int) -> str:
    """The 26 Crockford base32 characters of the ULID number ``ulid``."""
    millis = ulid >> 80
    last = _last_time[0]
    if last[0] != millis:
        last = (millis, "".join([_PAIRS[(millis >> shift) & 0x3FF] for shift in _TIME_SHIFTS]))
        _last_time[0] = last
    bits = ulid & _RANDOM_MASK
    pairs = _PAIRS
    return (
        last[1]
        + pairs[bits >> 70]
        + pairs[(bits >> 60) & 0x3FF]
        + pairs[(bits >> 50) & 0x3FF]
        + pairs[(bits >> 40) & 0x3FF]
        + pairs[(bits >> 30) & 0x3FF]
        + pairs[(bits >> 20) & 0x3FF]
        + pairs[(bits >> 10) & 0x3FF]
        + pairs[bits & 0x3FF]
    )


def ulid_timestamp(ulid: str) -> float:
    """Seconds since the epoch encoded in the first 10 characters of ``ulid``."""
    millis = 0
    for char in ulid[:10].upper():
        millis = millis * 32 + _ALPHABET.index(char)
    return millis / 1000
