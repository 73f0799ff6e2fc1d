"""Build ``cases.jsonl``, the labelled redaction set, from seeded templates and hard cases.

Run from the repository root::

    python tests/data/redaction/make_cases.py

The output is deterministic (fixed seed), so the committed file can be
regenerated and diffed. Every labelled value is checked to occur in its text,
card numbers to be Luhn-valid and IBANs to pass mod-97 — with implementations
independent of the redactor's — so a generator bug cannot pass as a redactor bug.
"""

# Data tables: one value or template per line reads better than wrapped f-strings.

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _values as v  # noqa: E402
from _hard_cases import HARD_CASES  # noqa: E402
from _negatives import NEGATIVE_TEMPLATES  # noqa: E402
from _templates import POSITIVE_TEMPLATES, Doc  # noqa: E402

SEED = 20240315
POSITIVES = 520
NEGATIVES = 190


def _weighted(templates):
    return [template for template, weight in templates for _ in range(weight)]


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    return checksum % 10 == 0


def _iban_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    return int("".join(str(int(c, 36)) for c in compact[4:] + compact[:4])) % 97 == 1


def _check(text: str, entities: list[tuple[str, str]]) -> None:
    for entity_type, value in entities:
        assert value in text, (entity_type, value, text)
        if entity_type == "CARD":
            assert _luhn_ok(value), value
        if entity_type == "IBAN":
            assert _iban_ok(value), value


def build(seed: int = SEED) -> list[dict[str, object]]:
    """All cases, in file order; the same seed always gives the same cases."""
    v.rng.seed(seed)
    cases: list[dict[str, object]] = []
    positives = _weighted(POSITIVE_TEMPLATES)
    for _ in range(POSITIVES):
        template = v.pick(positives)
        doc = Doc()
        text = template(doc)
        _check(text, doc.entities)
        cases.append(
            {
                "text": text,
                "entities": [{"type": t, "value": val} for t, val in doc.entities],
                "kind": template.__name__,
            }
        )
    negatives = _weighted(NEGATIVE_TEMPLATES)
    for _ in range(NEGATIVES):
        template = v.pick(negatives)
        cases.append({"text": template(), "entities": [], "kind": "negative:" + template.__name__})
    for text, entities in HARD_CASES:
        _check(text, entities)
        cases.append(
            {
                "text": text,
                "entities": [{"type": t, "value": val} for t, val in entities],
                "kind": "hard" if entities else "hard-negative",
            }
        )
    return cases


def main() -> None:
    cases = build()
    out = HERE / "cases.jsonl"
    with out.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for case in cases:
        for entity in case["entities"]:  # type: ignore[union-attr]
            counts[entity["type"]] = counts.get(entity["type"], 0) + 1
    print(f"wrote {len(cases)} cases to {out}: {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
