"""The labelled set, the scorer, and the targets: recall >= 0.99 and precision >= 0.95 per type."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hetero_agents.redaction import (
    ENTITY_TYPES,
    Case,
    DefaultRedactor,
    NoRedaction,
    evaluate,
    load_cases,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "redaction"
CASES_FILE = DATA / "cases.jsonl"
MIN_RECALL, MIN_PRECISION = 0.99, 0.95


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(CASES_FILE)


def test_the_set_is_large_varied_and_holds_negatives(cases: list[Case]) -> None:
    assert len(cases) >= 500
    per_type = {t: sum(t == e for c in cases for e, _v in c.entities) for t in ENTITY_TYPES}
    assert min(per_type.values()) >= 30, per_type
    assert sum(not c.entities for c in cases) >= 150  # PII-free look-alikes
    assert sum(c.kind.startswith("hard") for c in cases) >= 50  # hand-written hard cases
    assert len({c.kind for c in cases}) >= 30  # many templates, not one shape


def test_the_committed_file_is_what_the_generator_writes() -> None:
    sys.path.insert(0, str(DATA))
    try:
        import make_cases  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(DATA))
    lines = [json.dumps(case, ensure_ascii=False) for case in make_cases.build()]
    assert CASES_FILE.read_text(encoding="utf-8").splitlines() == lines


def test_default_redactor_meets_the_targets(cases: list[Case]) -> None:
    report = evaluate(DefaultRedactor(), cases)
    assert set(report.scores) == set(ENTITY_TYPES)
    assert report.failing(MIN_RECALL, MIN_PRECISION) == [], report.to_markdown()


def test_a_redactor_missing_a_type_fails_the_recall_target(cases: list[Case]) -> None:
    weakened = DefaultRedactor(types=[t for t in ENTITY_TYPES if t != "IBAN"])
    report = evaluate(weakened, cases)
    assert report.failing(MIN_RECALL, MIN_PRECISION) == ["IBAN: recall 0.000 < 0.99"]
    assert report.scores["IBAN"].entities > 0
    assert report.scores["IBAN"].found == 0


def test_a_trigger_happy_redactor_fails_the_precision_target(cases: list[Case]) -> None:
    # "any four digits are a phone number" finds every phone and much else besides
    eager = DefaultRedactor(extra_patterns={"PHONE": r"[0-9]{4,}"})
    report = evaluate(eager, cases)
    problems = report.failing(MIN_RECALL, MIN_PRECISION)
    assert any(p.startswith("PHONE: precision") for p in problems), problems
    assert report.false_positives


def test_no_redaction_finds_nothing(cases: list[Case]) -> None:
    report = evaluate(NoRedaction(), cases[:50])
    assert all(score.found == 0 and score.placeholders == 0 for score in report.scores.values())
    assert len(report.misses) == sum(s.entities for s in report.scores.values()) > 0


class _Masker:
    """Replaces every e-mail with stars: redacted, but not with typed placeholders."""

    def scope(self) -> _Masker:
        return self

    def redact(self, text: str) -> str:
        return text.replace("bob@example.com", "***")


def test_scoring_is_black_box_and_alignment_is_exact() -> None:
    case = Case(
        "a +44 20 7946 0958 +1 415 555 0132 b",
        (("PHONE", "+44 20 7946 0958"), ("PHONE", "+1 415 555 0132")),
    )
    report = evaluate(DefaultRedactor(), [case])
    assert (report.scores["PHONE"].found, report.scores["PHONE"].correct) == (2, 2)
    masked = evaluate(
        _Masker(), [Case("mail bob@example.com now", (("EMAIL", "bob@example.com"),))]
    )
    assert masked.scores["EMAIL"].found == 0  # stars are not a placeholder of the right type
    half = DefaultRedactor(types=[], extra_patterns={"PHONE": r"7946 0958"})
    partial = evaluate(half, [Case("call +44 20 7946 0958", (("PHONE", "+44 20 7946 0958"),))])
    # part of the number is still readable: not found, though the placeholder was right
    assert (partial.scores["PHONE"].found, partial.scores["PHONE"].correct) == (0, 1)


def test_a_wrongly_typed_placeholder_is_a_miss_and_a_false_positive() -> None:
    redactor = DefaultRedactor(types=["CARD"])
    case = Case("id 4111 1111 1111 1111", (("PHONE", "4111 1111 1111 1111"),))
    report = evaluate(redactor, [case])
    assert report.scores["PHONE"].found == 0
    assert (report.scores["CARD"].placeholders, report.scores["CARD"].correct) == (1, 0)


def test_loader_refuses_bad_labels(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "hi", "entities": [{"type": "EMAIL", "value": "a@b.co"}]}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:1: EMAIL value 'a@b.co' does not occur"):
        load_cases(path)
    path.write_text("not json\n")
    with pytest.raises(ValueError, match="not a labelled case"):
        load_cases(path)


def test_markdown_table_has_a_row_per_type_and_a_total(cases: list[Case]) -> None:
    table = evaluate(DefaultRedactor(), cases[:100]).to_markdown().splitlines()
    assert table[0].startswith("| type | entities | found | recall")
    assert table[-1].startswith("| **all** |")
