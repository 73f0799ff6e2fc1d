"""The building blocks of the default redactor: findings, rules, families of rules.

A :class:`Rule` is one compiled regex plus what turns its matches into
findings: which group is the sensitive value, a validator (Luhn, mod-97 …) and
an optional context that cancels a match. Rules are grouped into
:class:`Family` objects that share a *locator* (see ``_locators``): a cheap
function that says where in the text the family's rules can match — the exact
positions where a match may start, or short windows around them. The regexes
only ever run there, which is what keeps PII-free text cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeAlias

if TYPE_CHECKING:
    from hetero_agents.redaction._locators import Probe

#: Returns the (start, end) of the sensitive value inside a match, or None to drop it.
Locate: TypeAlias = Callable[[re.Match[str]], tuple[int, int] | None]
#: Half-open ``(start, end)`` ranges of a text, sorted and disjoint.
Windows: TypeAlias = list[tuple[int, int]]

#: Tier of a rule whose format alone identifies the value (a Luhn-valid card, a key prefix).
FORMAT = 0
#: Tier of a rule that relies on a nearby keyword (``password=``, ``phone:``); such a
#: finding only stands where no format rule found something overlapping.
CONTEXT = 1


class Finding(NamedTuple):
    """One sensitive value found in a text.

    Attributes:
        type: the entity type, e.g. ``"EMAIL"`` (see ``ENTITY_TYPES``).
        start: offset of the value's first character in the text.
        end: offset just past the value's last character.
        value: ``text[start:end]``, the exact characters a placeholder replaces.
    """

    type: str
    start: int
    end: int
    value: str


class Candidate(NamedTuple):
    """A finding before overlaps are resolved.

    ``claim_start``/``claim_end`` cover everything the rule matched (for
    ``postgres://bob:pw@db`` the whole authority), while ``start``/``end`` cover
    only what gets replaced (``pw``). Overlaps are decided on the claims, so a
    password inside a URL is not mistaken for part of an email address.
    """

    claim_start: int
    claim_end: int
    start: int
    end: int
    type: str
    tier: int
    order: int


@dataclass(frozen=True, slots=True)
class Rule:
    """One way of finding one entity type.

    Attributes:
        type: the entity type its findings get.
        pattern: the compiled regex.
        group: the group holding the sensitive value: an index, a name, or several
            names of which the first that took part in the match is used.
        validate: a check on the value's text (Luhn, mod-97 …); ``None`` accepts all.
        locate: replaces ``group``/``validate`` when the value's span needs logic.
        reject_before: a regex searched in the few characters before the match;
            a hit cancels it (``ISBN`` before a number, ``version`` before an IP).
        tier: :data:`FORMAT` or :data:`CONTEXT`.
        claims_match: whether the whole match (not only the value) is protected from
            overlapping findings: ``password: "…"`` claims its keyword, but the
            password of ``scheme://user:pw@10.0.0.1`` must leave the host to the IP rule.
    """

    type: str
    pattern: re.Pattern[str]
    group: int | str | tuple[str, ...] = 0
    validate: Callable[[str], bool] | None = None
    locate: Locate | None = None
    reject_before: re.Pattern[str] | None = None
    tier: int = FORMAT
    claims_match: bool = True

    def search_in(self, text: str, windows: Windows, order: int) -> Iterator[Candidate]:
        """Yield a candidate for every validated match that *starts* inside ``windows``.

        The window bounds the search; the match found is then re-run without the
        end bound, so a long key or a long domain is never cut at the window's edge.
        """
        pattern = self.pattern
        length = len(text)
        position = 0
        for window_start, window_end in windows:
            position = max(position, window_start)
            while position < window_end:
                bounded = pattern.search(text, position, window_end)
                if bounded is None:
                    break
                start = bounded.start()
                match = bounded if window_end == length else pattern.match(text, start)
                if match is None:
                    position = start + 1
                    continue
                position = max(match.end(), start + 1)
                candidate = self._candidate(match, order)
                if candidate is not None:
                    yield candidate

    def match_at(self, text: str, starts: list[int], order: int) -> Iterator[Candidate]:
        """Yield a candidate for every validated match starting exactly at one of ``starts``."""
        pattern = self.pattern
        for start in starts:
            match = pattern.match(text, start)
            if match is not None:
                candidate = self._candidate(match, order)
                if candidate is not None:
                    yield candidate

    def _candidate(self, match: re.Match[str], order: int) -> Candidate | None:
        span = self._value_span(match)
        if span is None:
            return None
        start, end = match.span()
        if self.reject_before is not None and self.reject_before.search(
            match.string, max(0, start - 24), start
        ):
            return None
        if not self.claims_match:
            start, end = span
        return Candidate(start, end, span[0], span[1], self.type, self.tier, order)

    def _value_span(self, match: re.Match[str]) -> tuple[int, int] | None:
        if self.locate is not None:
            return self.locate(match)
        group = self.group
        if isinstance(group, tuple):
            span = next((match.span(name) for name in group if match.start(name) >= 0), None)
            if span is None:
                return None
        else:
            span = match.span(group)
        if span[0] == span[1]:
            return None
        if self.validate is not None and not self.validate(match.string[span[0] : span[1]]):
            return None
        return span


class Scanner(Protocol):
    """What the redactor runs: rules plus the knowledge of where they can match."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules, most specific first (earlier wins ties)."""
        ...

    @property
    def needs(self) -> tuple[str, ...]:
        """Substrings of which every match holds at least one; () when there is none.

        The redactor tests these itself (plain ``in``, no call) and skips the
        scanner when none occurs: most texts open only one or two scanners.
        """
        ...

    def restricted_to(self, types: frozenset[str]) -> Scanner | None:
        """This scanner with only the rules of ``types``; None when none is left."""
        ...

    def collect(self, probe: Probe, out: list[Candidate], order: int) -> None:
        """Append the candidates found in ``probe.text``; ``order`` numbers the first rule."""
        ...


@dataclass(frozen=True, slots=True)
class Family:
    """Rules that share one locator.

    Exactly one of ``starts`` and ``windows`` is set. ``starts(probe)`` returns
    the offsets where a match may begin (a key prefix, the start of an e-mail's
    local part): each rule is *matched* there, never searched. ``windows(probe)``
    returns ranges to *search*, for entities whose start no substring pins down.

    Attributes:
        name: for debugging and documentation only.
        rules: the rules, most specific first.
        needs: substrings of which every match holds one (see :attr:`Scanner.needs`).
        starts: the match-start locator, or None.
        windows: the search-window locator, or None.
        requires: a finer test of the probe, run before the locator (``"://"`` *and*
            ``"@"``); False skips the family.
    """

    name: str
    rules: tuple[Rule, ...]
    needs: tuple[str, ...] = ()
    starts: Callable[[Probe], list[int]] | None = None
    windows: Callable[[Probe], Windows] | None = None
    requires: Callable[[Probe], bool] | None = None

    def __post_init__(self) -> None:
        if (self.starts is None) == (self.windows is None):
            raise ValueError(f"family {self.name!r} needs exactly one of starts= and windows=")

    def restricted_to(self, types: frozenset[str]) -> Family | None:
        """This family with only the rules of ``types``; None when none is left."""
        rules = tuple(rule for rule in self.rules if rule.type in types)
        if not rules:
            return None
        return Family(self.name, rules, self.needs, self.starts, self.windows, self.requires)

    def collect(self, probe: Probe, out: list[Candidate], order: int) -> None:
        """Run every rule where the locator allows and append what they find."""
        if self.requires is not None and not self.requires(probe):
            return
        text = probe.text
        if self.starts is not None:
            starts = self.starts(probe)
            if starts:
                for offset, rule in enumerate(self.rules):
                    out.extend(rule.match_at(text, starts, order + offset))
        elif self.windows is not None:
            windows = self.windows(probe)
            if windows:
                for offset, rule in enumerate(self.rules):
                    out.extend(rule.search_in(text, windows, order + offset))
