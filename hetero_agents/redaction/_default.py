"""``DefaultRedactor``: regexes, checksums and context words, tuned for agent traffic.

It runs on the agent's calling thread for every recorded call, so cost
matters as much as coverage. All patterns are compiled at import. Each family
of rules first locates its anchors with plain substring searches (``@``, a key
prefix, ``eyJ``) or one shared scan for runs of digits, and runs its regexes
only there, so text without PII costs a few C-speed scans and hardly any regex.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import TypeAlias

from hetero_agents.errors import RedactionConfigError
from hetero_agents.redaction._base import RedactionScope
from hetero_agents.redaction._locators import Probe, everywhere, may_hold_builtin
from hetero_agents.redaction._number_family import NUMBER_FAMILY
from hetero_agents.redaction._pii_rules import EMAIL_FAMILY, IPV6_FAMILY
from hetero_agents.redaction._rules import (
    FORMAT,
    Candidate,
    Family,
    Finding,
    Rule,
    Scanner,
)
from hetero_agents.redaction._secret_rules import SECRET_FAMILIES
from hetero_agents.redaction._validators import digits_of

#: The entity types the default redactor knows, in the order they are documented.
ENTITY_TYPES: tuple[str, ...] = (
    "EMAIL",  # e-mail addresses
    "PHONE",  # phone numbers, international and national formats
    "CARD",  # payment card numbers (scheme prefix + Luhn)
    "IBAN",  # international bank account numbers (country length + mod-97)
    "SSN",  # US social security numbers
    "IP",  # IPv4 and IPv6 addresses
    "API_KEY",  # provider API keys and tokens, AWS secret keys, bearer tokens, named secrets
    "JWT",  # JSON web tokens
    "PRIVATE_KEY",  # PEM / OpenSSH / PGP private-key blocks
    "PASSWORD",  # passwords in URLs, password fields, HTTP basic credentials
)

# Order matters only for ties (same tier, same length): earlier rules are more specific.
_ALL_FAMILIES: tuple[Scanner, ...] = (EMAIL_FAMILY, NUMBER_FAMILY, IPV6_FAMILY, *SECRET_FAMILIES)
_TYPE_NAME = re.compile(r"[A-Z][A-Z0-9_]*")

#: What ``extra_patterns`` accepts: ``{"TYPE": pattern}`` or ``[("TYPE", pattern), ...]``.
ExtraPatterns: TypeAlias = (
    Mapping[str, str | re.Pattern[str]] | Iterable[tuple[str, str | re.Pattern[str]]]
)


def _normalize(entity_type: str, value: str) -> str:
    """The identity of a value for numbering: one person's number is one placeholder.

    ``+44 20 7946 0958`` and ``0044 20 7946 0958`` are the same phone, and
    ``Bob@Example.com`` the same address as ``bob@example.com``.
    """
    if entity_type in ("PHONE", "CARD", "SSN"):
        digits = digits_of(value)
        return digits[2:] if entity_type == "PHONE" and digits.startswith("00") else digits
    if entity_type == "EMAIL":
        return value.casefold()
    if entity_type == "IBAN":
        return "".join(value.split()).upper()
    if entity_type == "IP":
        try:
            return str(ipaddress.ip_address(value.split("%", 1)[0]))
        except ValueError:
            return value
    return value


def _resolve(candidates: list[Candidate], text: str) -> list[Finding]:
    """Pick non-overlapping findings deterministically.

    Format rules beat context rules; then the longest claim wins; then the
    rule listed first (the more specific). The winners come back in text order.
    """
    candidates.sort(key=lambda c: (c.tier, c.claim_start - c.claim_end, c.order, c.claim_start))
    taken: list[tuple[int, int]] = []
    chosen: list[Candidate] = []
    for candidate in candidates:
        if any(candidate.claim_start < end and start < candidate.claim_end for start, end in taken):
            continue
        taken.append((candidate.claim_start, candidate.claim_end))
        chosen.append(candidate)
    chosen.sort(key=lambda c: c.start)
    return [Finding(c.type, c.start, c.end, text[c.start : c.end]) for c in chosen]


class DefaultRedactor:
    """The redactor the logger uses unless told otherwise.

    Finds e-mail addresses, phone numbers, payment cards, IBANs, US SSNs, IP
    addresses, provider API keys and tokens, JWTs, private keys and passwords
    (see :data:`ENTITY_TYPES`) and replaces each with a typed placeholder,
    ``<EMAIL_1>``, numbered per type within a scope. Checksums (Luhn, IBAN
    mod-97, SSN ranges, IP octets) keep dates, versions, order ids, UUIDs,
    hashes and prices out of the findings.

    A redactor is immutable and thread-safe; every :meth:`scope` is not, and
    belongs to one call.

    Args:
        types: the entity types to redact (default: all of :data:`ENTITY_TYPES`).
        extra_patterns: more rules, ``{"EMPLOYEE_ID": r"EMP-[0-9]{6}"}`` or a list of
            ``(type, pattern)`` pairs. A pattern with a group named ``value``
            replaces only that group. Extra rules search the whole text and win
            ties against built-in rules of the same length.

    Raises:
        RedactionConfigError: an unknown type in ``types``, or an extra type name
            that is not UPPER_SNAKE_CASE (it becomes part of the placeholder).
    """

    def __init__(
        self,
        *,
        types: Iterable[str] | None = None,
        extra_patterns: ExtraPatterns | None = None,
    ) -> None:
        selected = frozenset(ENTITY_TYPES if types is None else types)
        unknown = sorted(selected - set(ENTITY_TYPES))
        if unknown:
            raise RedactionConfigError(
                f"unknown redaction type(s) {unknown}; choose from {list(ENTITY_TYPES)}, "
                "or add your own with extra_patterns={'TYPE': r'regex'}"
            )
        families: list[Scanner] = [
            family
            for family in (scanner.restricted_to(selected) for scanner in _ALL_FAMILIES)
            if family is not None
        ]
        extra = _extra_rules(extra_patterns)
        if extra:
            families.insert(0, Family("extra", extra, windows=everywhere))
        self._families: tuple[Scanner, ...] = tuple(families)
        # Each family with the number of its first rule: rule order breaks ties.
        firsts = [0]
        for family in families:
            firsts.append(firsts[-1] + len(family.rules))
        self._plan = tuple(
            (family, first, family.needs) for family, first in zip(families, firsts, strict=False)
        )
        # User patterns may match anything, so only without them can plain text be skipped.
        self._plain_skips = not extra
        self.types: frozenset[str] = selected | {rule.type for rule in extra}

    def find(self, text: str) -> list[Finding]:
        """Return the sensitive values in ``text``, non-overlapping, in text order.

        This is what :meth:`scope`'s ``redact`` replaces; the pipeline's curation
        step also uses it to count what a data set contains.
        """
        if len(text) < 3 or (self._plain_skips and not may_hold_builtin(text)):
            return []
        probe = Probe(text)
        candidates: list[Candidate] = []
        for family, order, needs in self._plan:
            for needle in needs:
                if needle in text:
                    family.collect(probe, candidates, order)
                    break
            else:
                if not needs:
                    family.collect(probe, candidates, order)
        if not candidates:
            return []
        return _resolve(candidates, text)

    def scope(self) -> RedactionScope:
        """Open a scope for one call: placeholder numbering starts at 1 for each type."""
        return _DefaultScope(self)

    def redact(self, text: str) -> str:
        """Redact one text in a scope of its own (a convenience for one-off use)."""
        return _DefaultScope(self).redact(text)

    def __repr__(self) -> str:
        return f"DefaultRedactor(types={sorted(self.types)})"


class _DefaultScope:
    """Numbering state of one call: (type, normalized value) -> placeholder."""

    __slots__ = ("_counts", "_placeholders", "_redactor")

    def __init__(self, redactor: DefaultRedactor) -> None:
        self._redactor = redactor
        self._placeholders: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}

    def redact(self, text: str) -> str:
        findings = self._redactor.find(text)
        if not findings:
            return text
        parts: list[str] = []
        position = 0
        for finding in findings:
            parts.append(text[position : finding.start])
            parts.append(self._placeholder(finding.type, finding.value))
            position = finding.end
        parts.append(text[position:])
        return "".join(parts)

    def _placeholder(self, entity_type: str, value: str) -> str:
        key = (entity_type, _normalize(entity_type, value))
        placeholder = self._placeholders.get(key)
        if placeholder is None:
            number = self._counts.get(entity_type, 0) + 1
            self._counts[entity_type] = number
            placeholder = f"<{entity_type}_{number}>"
            self._placeholders[key] = placeholder
        return placeholder


def _extra_rules(extra_patterns: ExtraPatterns | None) -> tuple[Rule, ...]:
    if extra_patterns is None:
        return ()
    pairs = extra_patterns.items() if isinstance(extra_patterns, Mapping) else extra_patterns
    rules = []
    for entity_type, pattern in pairs:
        if not _TYPE_NAME.fullmatch(entity_type):
            raise RedactionConfigError(
                f"extra pattern type {entity_type!r} must be UPPER_SNAKE_CASE, e.g. 'EMPLOYEE_ID': "
                "it becomes the placeholder name <EMPLOYEE_ID_1>"
            )
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
        group: int | str = "value" if "value" in compiled.groupindex else 0
        rules.append(Rule(entity_type, compiled, group=group, tier=FORMAT))
    return tuple(rules)
