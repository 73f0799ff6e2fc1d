"""Redaction: quality on the labelled set, and cost on the agent's calling thread.

    python benchmarks/bench_redaction.py            # full run (quiet machine, please)
    python benchmarks/bench_redaction.py --quick    # smoke run

Prints, as markdown:

1. per-type recall and precision of ``DefaultRedactor`` on
   ``tests/data/redaction/cases.jsonl`` (entity level: an entity is found when
   all of it was replaced by a placeholder of its type);
2. throughput on the common case (chat messages without PII), on PII-free
   look-alikes (the set's negatives: logs, code, prices, ids, dates, hashes —
   the worst case, every number must be examined) and on PII-dense text (its
   positive cases), each text redacted in a scope of its own as the logger
   does, and the same texts joined into one long document;
3. the cost of one ``redact_json`` over a small tool-call argument dict.

Timings are the best of ``--repeat`` rounds, so they show the cost of the
code, not the noise of the machine; quote them only from a quiet machine.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hetero_agents.redaction import (
    Case,
    DefaultRedactor,
    evaluate,
    load_cases,
    redact_json,
)

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "redaction" / "cases.jsonl"
# The common case: the prose of an agent's messages, with the odd number and no PII.
CHAT = [
    "You are a travel assistant. Use the tools to search flights and hotels, compare at most "
    "three options, and answer in the user's language. Never book without confirmation; prices "
    "must include taxes and fees. If a tool fails, retry once, then explain what went wrong.",
    "Hi! I'd like to fly from Paris to Berlin next Friday morning and come back on Sunday "
    "evening. Two adults, no checked luggage. What are my options under 300 euros?",
    "I found three direct flights. The cheapest leaves at 07:10 and arrives at 08:55; the "
    "return on Sunday leaves at 19:40. Together they cost 214 euros per person, taxes included. "
    "A later option at 09:30 costs 248 euros. Shall I hold the first one for you?",
    "The search returned 12 results in 1.4 seconds; 4 were filtered out because they had a "
    "layover longer than two hours, and 5 because the total price was above the budget.",
    "Summarise the conversation so far in two sentences for the handover to the booking agent, "
    "then list the open questions: seat preference, loyalty programme, and travel insurance.",
    "Certainly. The user wants a weekend round trip from Paris to Berlin for two adults with "
    "cabin bags only, under 300 euros in total per person; the 07:10 outbound and 19:40 return "
    "fit best. Still open: seats, loyalty number and whether insurance is wanted.",
]
TOOL_ARGS = {
    "query": "flights from Paris to Berlin on 2025-03-14 for 2 adults",
    "filters": {"max_price": 420.0, "currency": "EUR", "airlines": ["LH", "AF"], "direct": True},
    "session": "3f2a9c1e-8b7d-4a5f-9e3d-2c1b0a9f8e7d",
    "page": 2,
}


def best_seconds(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def throughput_rows(
    redactor: DefaultRedactor, label: str, texts: list[str], repeat: int
) -> list[str]:
    size = sum(len(text.encode()) for text in texts)
    document = "\n".join(texts)

    def one_scope_per_text() -> None:
        for text in texts:
            redactor.scope().redact(text)

    per_text = best_seconds(one_scope_per_text, repeat)
    joined = best_seconds(lambda: redactor.scope().redact(document), repeat)
    return [
        f"| {label}, one scope per text | {len(texts)} | {size / 1024:.0f} KiB "
        f"| {size / per_text / 1e6:.1f} | {per_text / (size / 1024) * 1e6:.1f} "
        f"| {per_text / len(texts) * 1e6:.1f} |",
        f"| {label}, joined into one text | 1 | {size / 1024:.0f} KiB "
        f"| {size / joined / 1e6:.1f} | {joined / (size / 1024) * 1e6:.1f} | - |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timing rounds (best is kept)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 rounds, 1/12 of cases")
    args = parser.parse_args()
    repeat = 2 if args.quick else args.repeat

    cases: list[Case] = load_cases(CASES)
    redactor = DefaultRedactor()
    print(
        f"# Redaction benchmark\n\nPython {platform.python_version()} on {platform.machine()}, "
        f"{len(cases)} labelled cases.\n"
    )

    report = evaluate(redactor, cases)
    print("## Quality (entity level)\n")
    print(report.to_markdown())
    print(
        f"\nTargets: recall >= 0.99 and precision >= 0.95 per type; "
        f"below target: {report.failing(0.99, 0.95) or 'none'}."
    )
    for index, entity_type, text in report.false_positives[:10]:
        print(f"- false positive {entity_type} in case {index}: {text!r}")

    if args.quick:
        cases = cases[::12]  # every 12th: positives, negatives and hard cases alike
    negatives = [case.text for case in cases if not case.entities]
    positives = [case.text for case in cases if case.entities]
    print("\n## Throughput\n")
    print("| input | texts | size | MB/s | µs per KiB | µs per text |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in throughput_rows(redactor, "chat messages, no PII", CHAT * 10, repeat):
        print(row)
    for row in throughput_rows(redactor, "PII-free look-alikes", negatives, repeat):
        print(row)
    for row in throughput_rows(redactor, "PII-dense", positives, repeat):
        print(row)

    calls = 200 if args.quick else 5000

    def tool_calls() -> None:
        for _ in range(calls):
            redact_json(TOOL_ARGS, redactor.scope())

    seconds = best_seconds(tool_calls, repeat)
    print(
        f"\n`redact_json` on a {len(str(TOOL_ARGS))}-character tool-argument dict: "
        f"{seconds / calls * 1e6:.1f} µs per call."
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
