"""One scan for runs of digits, each run routed to the numeric rules it could satisfy.

Text full of numbers that are not PII (dates, ids, timestamps, hashes) is
the common case, so the cost per run matters: :func:`route` reads a few
characters of each run once and returns a bit mask of the rules worth
searching around it (a card needs 14 characters, a national phone number
starts with ``0``, an IBAN follows capitals …). Each rule then searches only
the short windows around the runs routed to it.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from hetero_agents.redaction._locators import DIGITS, Probe, merge
from hetero_agents.redaction._number_rules import (
    CARD_RULES,
    IBAN_RULES,
    PHONE_RULES,
    SSN_RULES,
)
from hetero_agents.redaction._pii_rules import IP_RULES
from hetero_agents.redaction._rules import Candidate, Rule, Windows

# Routes: which kind of run a rule needs.
LONG = 1  # at least 14 characters: a card
AFTER_CAPITALS = 2  # capitals right before: an IBAN ("DE89 3704…", "GB82 WEST 1234…")
DASHED = 4  # 11+ characters with a dash: an SSN
AFTER_PLUS = 8  # a "+" right before: an international phone number
DOUBLE_ZERO = 16  # holds "00": an international prefix
TWELVE = 32  # at least 12 characters: a North American number
TRUNK_ZERO = 64  # starts with 0: a national phone number
DOTTED = 128  # three dots: an IPv4 address
AFTER_WORD = 256  # a phone or SSN keyword shortly before: matched at the keyword

# The first letters of every keyword of the context rules (tel: telephone, telefon …).
_NUMBER_WORDS = (
    "phone", "tel", "t\u00e9l", "mob", "cell", "fax", "whatsapp", "sms", "handy", "m\u00f3vil",
    "movil", "portable", "ssn", "soc",
)  # fmt: skip
_KEYWORD_REACH = 40


def route(text: str, start: int, end: int) -> int:
    """The routes of the run ``text[start:end]`` as a bit mask (0: no rule can match).

    :data:`AFTER_WORD` is decided apart, from :func:`keyword_offsets`.
    """
    size = end - start
    run = text[start:end]
    before = text[start - 3 if start > 3 else 0 : start]
    mask = 0
    if size >= 14:
        mask |= LONG
    if size >= 12:
        mask |= TWELVE
    if size >= 11 and "-" in run:
        mask |= DASHED
    if "00" in run:
        mask |= DOUBLE_ZERO
    if run[0] == "0":
        mask |= TRUNK_ZERO
    if run.count(".") >= 3:
        mask |= DOTTED
    if "+" in before:
        mask |= AFTER_PLUS
    if before[-2:].isupper():
        mask |= AFTER_CAPITALS
    return mask


def keyword_offsets(lower: str) -> list[int]:
    """Where each phone or SSN keyword occurs in the lower-cased text, in order.

    The context rules are *matched* at these offsets (for the runs they precede):
    searching a window with a case-insensitive alternation of twenty keywords
    would cost far more.
    """
    found: list[int] = []
    for word in _NUMBER_WORDS:
        index = lower.find(word)
        while index >= 0:
            found.append(index)
            index = lower.find(word, index + 1)
    found.sort()
    return found


@dataclass(frozen=True, slots=True)
class NumberRule:
    """A numeric rule, the route it needs, and how far before a run a match may start.

    Attributes:
        rule: the rule.
        route: one of the route bits above.
        before: characters before the run where a match may start (``+``, IBAN letters);
            context rules (:data:`AFTER_WORD`) are matched at their keyword instead.
        after: characters after the run the search must see for a match to complete
            (an IBAN's letters after its last digits).
    """

    rule: Rule
    route: int
    before: int = 0
    after: int = 1


class NumberFamily:
    """All numeric rules, sharing one scan for runs of digits (:attr:`Probe.runs`)."""

    __slots__ = ("_entries", "_words")

    def __init__(self, entries: tuple[NumberRule, ...]) -> None:
        self._entries = entries
        self._words = any(entry.route == AFTER_WORD for entry in entries)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules, most specific first."""
        return tuple(entry.rule for entry in self._entries)

    @property
    def needs(self) -> tuple[str, ...]:
        """Every numeric entity holds a digit."""
        return DIGITS

    def restricted_to(self, types: frozenset[str]) -> NumberFamily | None:
        """This family with only the rules of ``types``; None when none is left."""
        entries = tuple(entry for entry in self._entries if entry.rule.type in types)
        return NumberFamily(entries) if entries else None

    def collect(self, probe: Probe, out: list[Candidate], order: int) -> None:
        """Route every run, then let each rule search the windows routed to it."""
        runs = probe.runs
        if not runs:
            return
        text = probe.text
        length = len(text)
        entries = self._entries
        windows: list[Windows] = [[] for _ in entries]
        offsets = keyword_offsets(probe.lower) if self._words else []
        keywords: list[int] = []
        for start, end in runs:
            if offsets:  # the keywords in the _KEYWORD_REACH characters before the run
                first = bisect_left(offsets, start - _KEYWORD_REACH)
                keywords.extend(offsets[first : bisect_left(offsets, start, first)])
            mask = route(text, start, end)
            if not mask:
                continue
            for index, entry in enumerate(entries):
                if mask & entry.route:
                    windows[index].append(
                        (max(0, start - entry.before), min(length, end + entry.after))
                    )
        for index, entry in enumerate(entries):
            if entry.route == AFTER_WORD:
                if keywords:
                    out.extend(entry.rule.match_at(text, sorted(set(keywords)), order + index))
            elif windows[index]:
                out.extend(entry.rule.search_in(text, merge(windows[index]), order + index))


NUMBER_FAMILY = NumberFamily(
    (
        NumberRule(CARD_RULES[0], LONG),
        NumberRule(IBAN_RULES[0], AFTER_CAPITALS, before=14, after=30),
        NumberRule(SSN_RULES[0], DASHED),
        NumberRule(PHONE_RULES[0], AFTER_PLUS, before=4),
        NumberRule(PHONE_RULES[1], DOUBLE_ZERO),
        NumberRule(PHONE_RULES[2], TWELVE, before=3),
        NumberRule(PHONE_RULES[3], TRUNK_ZERO, before=1),
        NumberRule(IP_RULES[0], DOTTED),
        NumberRule(PHONE_RULES[4], AFTER_WORD),
        NumberRule(SSN_RULES[1], AFTER_WORD),
    )
)
