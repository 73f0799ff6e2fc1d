"""Locators: the cheap first pass that says where the rules need to look.

In CPython a one-character search (``"@" in text``) runs at memory speed
(``memchr``), a multi-character ``str.find`` is still several times faster than
the fastest regex scan, and most text an agent sends holds none of the
substrings that every secret or address must contain (``@``, ``://``,
``sk-``, ``eyJ`` …). So each family of rules first finds its anchors with
these primitives and only then runs its regexes at those offsets. Numbers are
the exception: no substring pins them down, so one regex scan finds the runs
of digits long enough to matter, shared by all numeric rules through the
:class:`Probe`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hetero_agents.redaction._rules import Windows

# A run: at least seven characters of digits and separators, starting and ending with
# a digit ("(415) 555-0132", "4111 1111 1111 1111", "10.0.0.1"), or the two check digits
# of an IBAN right after its country code ("LU13178H54…"). Every numeric entity holds one.
# - A run that is exactly a date (2024-03-15, 15.03.2024, 03/15/2024), the most common
#   long run of all, is refused by look-behinds at its end, tested once per run.
# - The look-behind right after the first digit makes every attempt inside a number or a
#   lower-case hex id ("3f2a9c1e", "v2") fail at once: about one attempt per number.
# - Only single-character repeats and an atomic group are used: CPython's engine runs
#   those without the per-attempt bookkeeping of a repeated group, several times faster.
_NUMERIC_RUN = re.compile(
    r"""
    [0-9](?<![0-9a-z][0-9])
    (?:
        (?=[0-9 .\-/()]{5}[0-9 .\-/()]*?[0-9])(?>[0-9 .\-/()]*[0-9])
        (?<!(?<![0-9])(?:19|20)[0-9]{2}[-/.](?:0[1-9]|1[0-2])[-/.](?:[0-2][0-9]|3[01]))
        (?<!(?<![0-9])(?:[0-2][0-9]|3[01])[-/.](?:0[1-9]|1[0-2])[-/.](?:19|20)[0-9]{2})
        (?<!(?<![0-9])(?:0[1-9]|1[0-2])[-/.](?:[0-2][0-9]|3[01])[-/.](?:19|20)[0-9]{2})
      | (?<=[A-Z]{2}[0-9])[0-9]
    )
    """,
    re.VERBOSE,
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


#: The ten ASCII digits, as needles: ten ``memchr`` scans beat one regex scan for a digit.
DIGITS = tuple("0123456789")


def may_hold_builtin(text: str) -> bool:
    """Whether ``text`` could hold any built-in entity at all.

    Every built-in entity holds a digit or one of ``: - @ = _``, except a few
    letter-only secrets (an AWS key id ``AKIA…``/``ASIA…``, a ``Bearer`` token).
    Plain prose ("What's the weather in Paris?") fails this test and skips every
    family: the cheapest path for the most common string. Single-character
    ``in`` tests run at ``memchr`` speed and cost less than one regex call.
    """
    return (
        ":" in text or "-" in text or "@" in text or "=" in text or "_" in text
        or "0" in text or "1" in text or "2" in text or "3" in text or "4" in text
        or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text
        or "AKIA" in text or "ASIA" in text or "earer" in text or "EARER" in text
    )  # fmt: skip


class Probe:
    """A text under examination, with the derived views its locators share.

    Each view is computed at most once per text, and only if a locator asks.
    """

    __slots__ = ("_lower", "_runs", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lower: str | None = None
        self._runs: Windows | None = None

    @property
    def lower(self) -> str:
        """The text in lower case, with the same offsets as the text.

        ``str.lower`` is used unless it changes the length (``İ`` becomes two
        characters); then only ASCII letters are lowered, which keeps offsets.
        """
        if self._lower is None:
            lowered = self.text.lower()
            if len(lowered) != len(self.text):
                lowered = self.text.translate(_ASCII_LOWER)
            self._lower = lowered
        return self._lower

    @property
    def runs(self) -> Windows:
        """Spans of the numeric runs that could hold a card, phone, IBAN, SSN or IPv4."""
        if self._runs is None:
            self._runs = [match.span() for match in _NUMERIC_RUN.finditer(self.text)]
        return self._runs


def merge(windows: Windows) -> Windows:
    """Sort windows and join those that overlap or touch."""
    if len(windows) < 2:
        return windows
    windows.sort()
    merged = [windows[0]]
    for start, end in windows[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            if end > last_end:
                merged[-1] = (last_start, end)
        else:
            merged.append((start, end))
    return merged


def back_to(text: str, index: int, allowed: str, limit: int) -> int:
    """Walk left from ``index`` over alphanumerics and ``allowed``, at most ``limit`` steps."""
    stop = max(0, index - limit)
    while index > stop and (text[index - 1].isalnum() or text[index - 1] in allowed):
        index -= 1
    return index


def at_needles(
    needles: tuple[str, ...],
    *,
    in_lower: bool = False,
    word_end: bool = False,
    back_over: str | None = None,
    back_limit: int = 64,
) -> Callable[[Probe], list[int]]:
    """A ``starts`` locator built on substring search.

    Args:
        needles: substrings that every match contains.
        in_lower: search the lower-cased text (for keywords in any case).
        word_end: skip an occurrence followed by a letter, digit or ``_``
            (``tokens``, ``token_count`` and ``secrets`` name no secret).
        back_over: where a match starts before its needle (``OPENAI_API_KEY`` for
            ``_key``, an e-mail's local part for ``@``), walk left over
            alphanumerics and these characters to find the start; None: the
            match starts at the needle.
        back_limit: the longest such walk.
    """

    def starts(probe: Probe) -> list[int]:
        text = probe.text
        haystack = probe.lower if in_lower else text
        length = len(text)
        found: list[int] = []
        for needle in needles:
            index = haystack.find(needle)
            while index >= 0:
                after = index + len(needle)
                if not (
                    word_end and after < length and (text[after].isalnum() or text[after] == "_")
                ):
                    found.append(
                        index if back_over is None else back_to(text, index, back_over, back_limit)
                    )
                index = haystack.find(needle, after)
        if len(found) > 1:
            found = sorted(set(found))
        return found

    return starts


def at_prefixes(prefixes: tuple[str, ...], pivots: str = "_-") -> Callable[[Probe], list[int]]:
    """A ``starts`` locator for many literal prefixes, in one regex scan.

    One ``str.find`` per prefix (``sk-``, ``ghp_``, ``hf_``, ``AKIA`` … some thirty)
    would scan the text thirty times. Instead, prefixes ending in a *pivot*
    character (``_``, ``-``) are found by jumping from pivot to pivot and
    checking, in a look-behind, the two characters before it, so the ``-`` of
    a date or a UUID is dropped inside the regex engine; the other prefixes
    are literal alternatives. Every alternative starts with a literal, which
    gives the engine a first-character table to skip through the text with.

    Args:
        prefixes: the prefixes; those ending in a pivot need at least 2 other characters.
        pivots: the characters that end the pivot prefixes.
    """
    by_length: dict[int, set[str]] = {}
    alternatives = []
    for pivot in pivots:
        ends = sorted({p[-3:-1] for p in prefixes if p.endswith(pivot)})
        if ends:
            escaped = re.escape(pivot)
            alternatives.append(f"{escaped}(?<=(?:{'|'.join(map(re.escape, ends))}){escaped})")
    literal = [p for p in prefixes if p[-1] not in pivots]
    alternatives.extend(map(re.escape, literal))
    for prefix in prefixes:
        if prefix[-1] in pivots:
            by_length.setdefault(len(prefix) - 1, set()).add(prefix)
    hits = re.compile("|".join(alternatives))
    lengths = sorted((length, frozenset(words)) for length, words in by_length.items())

    def starts(probe: Probe) -> list[int]:
        text = probe.text
        found: list[int] = []
        for hit in hits.finditer(text):
            index = hit.start()
            if hit.end() - index > 1:  # a literal prefix
                found.append(index)
                continue
            for length, words in lengths:  # gsk_ and sk_ may both end here: keep both
                if index >= length and text[index - length : index + 1] in words:
                    found.append(index - length)
        return found

    return starts


def everywhere(probe: Probe) -> Windows:
    """A ``windows`` locator for rules that must see the whole text (user patterns)."""
    return [(0, len(probe.text))]
