"""Score any redactor against a labelled set: per-type recall and precision.

The scoring is black-box: it only sees what ``scope().redact(text)`` returns,
so it measures exactly what would land in the log database, and works for
any :class:`Redactor`, not just the default one.

An entity counts as *found* when every occurrence of its value was replaced
by a placeholder of its type (a placeholder may cover more than the value).
A placeholder counts as *correct* when what it replaced overlaps a labelled
entity of its type; any other placeholder is a false positive.

To know what each placeholder replaced, the redacted text is aligned back to
the original: the text between placeholders is kept verbatim by any redactor
worth the name, so the gaps are determined, up to ambiguity when a literal
also occurs inside a value (``<PHONE_1> <PHONE_2>`` over two spaced numbers);
among the alignments the output allows, the one that explains the most
labelled entities is taken.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from hetero_agents.redaction._base import Redactor

_PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]*?)_([0-9]+)>")


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled text.

    Attributes:
        text: the text as an agent would send it.
        entities: ``(type, value)`` pairs; each value occurs verbatim in ``text``.
            An empty tuple marks a negative (PII-free look-alike) case.
        kind: a free label for slicing results (``"ticket"``, ``"negative"`` …).
    """

    text: str
    entities: tuple[tuple[str, str], ...] = ()
    kind: str = ""


def load_cases(path: str | Path) -> list[Case]:
    """Read a JSONL file of ``{"text": …, "entities": [{"type": …, "value": …}]}`` lines.

    Raises:
        ValueError: a line is not such an object, or names a value that does not
            occur in its text (a labelling mistake that would skew every score).
    """
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            case = Case(
                raw["text"],
                tuple((entity["type"], entity["value"]) for entity in raw.get("entities", ())),
                raw.get("kind", ""),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a labelled case: {error}") from error
        for entity_type, value in case.entities:
            if not value or value not in case.text:
                raise ValueError(
                    f"{path}:{number}: {entity_type} value {value!r} does not occur in the text"
                )
        cases.append(case)
    return cases


@dataclass(slots=True)
class TypeScore:
    """Counts for one entity type. Recall is over entities, precision over placeholders."""

    type: str
    entities: int = 0
    found: int = 0
    placeholders: int = 0
    correct: int = 0

    @property
    def recall(self) -> float | None:
        """Found / labelled, or None when the set has no entity of this type."""
        return self.found / self.entities if self.entities else None

    @property
    def precision(self) -> float | None:
        """Correct / emitted placeholders, or None when none was emitted."""
        return self.correct / self.placeholders if self.placeholders else None


@dataclass(slots=True)
class EvaluationReport:
    """Per-type scores plus the misses and false positives behind them.

    Attributes:
        scores: type -> counts.
        cases: how many cases were scored.
        misses: ``(case index, type, value)`` of every entity not fully replaced.
        false_positives: ``(case index, type, replaced text)`` of every wrong placeholder.
    """

    scores: dict[str, TypeScore] = field(default_factory=dict)
    cases: int = 0
    misses: list[tuple[int, str, str]] = field(default_factory=list)
    false_positives: list[tuple[int, str, str]] = field(default_factory=list)

    def score(self, entity_type: str) -> TypeScore:
        """The counts of one type (created empty on first use)."""
        if entity_type not in self.scores:
            self.scores[entity_type] = TypeScore(entity_type)
        return self.scores[entity_type]

    def failing(self, min_recall: float, min_precision: float) -> list[str]:
        """Describe every type below a target; an empty list means all targets are met."""
        problems = []
        for entity_type, score in sorted(self.scores.items()):
            if score.recall is not None and score.recall < min_recall:
                problems.append(f"{entity_type}: recall {score.recall:.3f} < {min_recall}")
            if score.precision is not None and score.precision < min_precision:
                problems.append(f"{entity_type}: precision {score.precision:.3f} < {min_precision}")
        return problems

    def to_markdown(self) -> str:
        """A markdown table: one row per type, then the micro-averaged total."""
        rows = [
            "| type | entities | found | recall | placeholders | precision |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        total = TypeScore("**all**")
        for _type, score in sorted(self.scores.items()):
            rows.append(_row(score))
            total.entities += score.entities
            total.found += score.found
            total.placeholders += score.placeholders
            total.correct += score.correct
        rows.append(_row(total))
        return "\n".join(rows)


def _row(score: TypeScore) -> str:
    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    return (
        f"| {score.type} | {score.entities} | {score.found} | {fmt(score.recall)} "
        f"| {score.placeholders} | {fmt(score.precision)} |"
    )


def evaluate(redactor: Redactor, cases: Iterable[Case]) -> EvaluationReport:
    """Redact every case in a scope of its own and score the output.

    Args:
        redactor: any :class:`Redactor`.
        cases: labelled cases, e.g. from :func:`load_cases`.

    Returns:
        The report; ``report.failing(0.99, 0.95)`` lists the types below target.
    """
    report = EvaluationReport()
    for index, case in enumerate(cases):
        report.cases += 1
        _score_case(report, index, case, redactor.scope().redact(case.text))
    return report


def _score_case(report: EvaluationReport, index: int, case: Case, redacted: str) -> None:
    units = _entity_occurrences(case)
    literals = _PLACEHOLDER.split(redacted)[::3]
    types = [match.group(1) for match in _PLACEHOLDER.finditer(redacted)]
    gaps = _align(case.text, literals, types, units)
    for entity_type, _value, _start, _end in units:
        report.score(entity_type).entities += 1
    if gaps is None:  # the output is not the input with placeholders: nothing counts as found
        report.misses.extend((index, t, v) for t, v, _s, _e in units)
        for entity_type in types:
            report.score(entity_type).placeholders += 1
            report.false_positives.append((index, entity_type, "<unalignable output>"))
        return
    for entity_type, value, start, end in units:
        if any(
            t == entity_type and s <= start and end <= e
            for t, (s, e) in zip(types, gaps, strict=True)
        ):
            report.score(entity_type).found += 1
        else:
            report.misses.append((index, entity_type, value))
    for entity_type, (start, end) in zip(types, gaps, strict=True):
        score = report.score(entity_type)
        score.placeholders += 1
        if any(t == entity_type and s < end and start < e for t, _v, s, e in units):
            score.correct += 1
        else:
            report.false_positives.append((index, entity_type, case.text[start:end]))


def _entity_occurrences(case: Case) -> list[tuple[str, str, int, int]]:
    """Every occurrence of every labelled value, minus those inside a longer labelled value."""
    spans: list[tuple[str, str, int, int]] = []
    for entity_type, value in dict.fromkeys(case.entities):
        start = case.text.find(value)
        while start >= 0:
            spans.append((entity_type, value, start, start + len(value)))
            start = case.text.find(value, start + len(value))
    return [
        unit
        for unit in spans
        if not any(
            s <= unit[2] and unit[3] <= e and (e - s) > (unit[3] - unit[2])
            for _t, _v, s, e in spans
        )
    ]


def _align(
    original: str, literals: list[str], types: list[str], units: list[tuple[str, str, int, int]]
) -> list[tuple[int, int]] | None:
    """The spans of ``original`` that the placeholders replaced, or None if none fit."""
    count = len(types)
    if count == 0:
        return [] if literals[0] == original else None
    head, tail = literals[0], literals[-1]
    if not original.startswith(head) or not original.endswith(tail):
        return None
    last_end = len(original) - len(tail)

    def explained(gap: int, start: int, end: int) -> int:
        return sum(1 for t, _v, s, e in units if t == types[gap] and start <= s and e <= end)

    @cache
    def best(gap: int, start: int) -> tuple[int, tuple[tuple[int, int], ...]] | None:
        if gap == count - 1:
            if last_end <= start:
                return None
            return explained(gap, start, last_end), ((start, last_end),)
        literal = literals[gap + 1]
        result: tuple[int, tuple[tuple[int, int], ...]] | None = None
        end = original.find(literal, start + 1)
        while 0 <= end <= last_end:
            rest = best(gap + 1, end + len(literal))
            if rest is not None:
                total = explained(gap, start, end) + rest[0]
                if result is None or total > result[0]:
                    result = (total, ((start, end), *rest[1]))
            end = original.find(literal, end + 1)
        return result

    found = best(0, len(head))
    return None if found is None else list(found[1])
