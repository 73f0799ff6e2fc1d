"""Tool calling on BFCL: grammar-constrained ChatLlamaCpp vs the same model without constraints.

For each sampled BFCL question (``simple`` or ``multiple``, Python) and each
model, the same ``llama_cpp.Llama`` answers twice:

* ``raw``: ``Llama.create_chat_completion`` with no grammar. A chat template
  that knows tools (Qwen2.5) gets ``tools=``; one that does not (SmolLM2) gets
  the same tool descriptions in a system prompt asking for
  ``<tool_call>{...}</tool_call>``. The text is parsed leniently
  (``hetero_agents.evals.parse_tool_calls``), so the baseline is not punished
  for formatting.
* ``constrained``: ``ChatLlamaCpp(client=llm).bind_tools(tools, tool_choice="any")``.

Reported per (model, category, mode): the share of answers that are
schema-valid tool calls (an offered function, arguments valid under its JSON
Schema, checked with ``jsonschema``), BFCL AST accuracy, and mean seconds per
question. Temperature 0, fixed seed; the KV cache is cleared before every
answer so neither mode profits from the other's prompt.

    python benchmarks/bench_bfcl.py --model qwen2.5-coder-0.5b --category simple -n 40 --seed 0
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hetero_agents.errors import HeteroAgentsError
from hetero_agents.evals import (
    BfclQuestion,
    ToolCallValidator,
    ast_match,
    parse_tool_calls,
    sample_questions,
    tool_system_prompt,
)

MODELS = ("smollm2-135m", "qwen2.5-coder-0.5b")
CATEGORIES = ("simple", "multiple")
MODES = ("raw", "constrained")

Answer = tuple[list[dict[str, Any]], str]  # (tool calls, raw text for the record)


@dataclass
class Record:
    """One model's answer to one question in one mode."""

    model: str
    category: str
    mode: str
    id: str
    seconds: float
    calls: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    valid: bool = False
    invalid_reason: str | None = None
    ast_ok: bool = False
    ast_kind: str | None = None
    ast_detail: str = ""
    error: str | None = None


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model", nargs="+", choices=MODELS, default=list(MODELS))
    p.add_argument("--category", nargs="+", choices=CATEGORIES, default=list(CATEGORIES))
    p.add_argument("--mode", nargs="+", choices=MODES, default=list(MODES))
    p.add_argument("-n", type=int, default=40, help="questions per category (seeded sample)")
    p.add_argument("--seed", type=int, default=0, help="sampling and decoding seed")
    p.add_argument("--n-threads", type=int, default=2)
    p.add_argument("--n-ctx", type=int, default=4096)
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument(
        "--raw-repeat-penalty",
        type=float,
        default=1.1,
        help="raw mode's repeat penalty (default: llama-cpp-python's own default, 1.1)",
    )
    p.add_argument(
        "--model-path", type=Path, help="GGUF to use instead of the catalog's (one --model)"
    )
    p.add_argument("--out", type=Path, help="write every answer and the summary as JSON")
    args = p.parse_args()
    if args.model_path and len(args.model) != 1:
        p.error("--model-path needs exactly one --model")
    return args


def _load_llama(path: Path, args: argparse.Namespace) -> Any:
    from llama_cpp import Llama

    return Llama(
        model_path=str(path),
        n_ctx=args.n_ctx,
        n_threads=args.n_threads,
        seed=args.seed,
        verbose=False,
    )


def _template_has_tools(llm: Any) -> bool:
    return "tools" in str(llm.metadata.get("tokenizer.chat_template", ""))


def _raw_answerer(llm: Any, args: argparse.Namespace) -> Callable[[BfclQuestion], Answer]:
    native_tools = _template_has_tools(llm)

    def answer(q: BfclQuestion) -> Answer:
        messages: list[dict[str, Any]] = [dict(m) for m in q.messages]
        extra: dict[str, Any] = {}
        if native_tools:
            extra["tools"] = list(q.tools)
        else:
            messages.insert(0, {"role": "system", "content": tool_system_prompt(q.tools)})
        response = llm.create_chat_completion(
            messages=messages,
            temperature=0.0,
            repeat_penalty=args.raw_repeat_penalty,
            max_tokens=args.max_tokens,
            seed=args.seed,
            **extra,
        )
        message = response["choices"][0]["message"]
        text = message.get("content") or ""
        # A chat handler that parses tool calls itself returns them in OpenAI form.
        structured = json.dumps([c["function"] for c in message.get("tool_calls") or []])
        found = [*parse_tool_calls(structured), *parse_tool_calls(text)]
        return [{"name": c["name"], "args": c["args"]} for c in found], text

    return answer


def _constrained_answerer(llm: Any, args: argparse.Namespace) -> Callable[[BfclQuestion], Answer]:
    from hetero_agents.chat_models.llama_cpp import ChatLlamaCpp

    chat = ChatLlamaCpp(
        client=llm,
        n_ctx=args.n_ctx,
        temperature=0.0,
        max_tokens=args.max_tokens,
        seed=args.seed,
    )

    def answer(q: BfclQuestion) -> Answer:
        bound = chat.bind_tools(list(q.tools), tool_choice="any")
        message = bound.invoke([dict(m) for m in q.messages])
        calls = [{"name": c["name"], "args": c["args"]} for c in message.tool_calls]
        # Calls cut off by max_tokens come back as invalid_tool_calls: keep them for the record.
        broken = "".join(f"\n[invalid tool call] {c}" for c in message.invalid_tool_calls)
        return calls, str(message.content) + broken

    return answer


def _score(record: Record, q: BfclQuestion) -> None:
    validator = ToolCallValidator(q.tools)
    problems = [validator.problem(c) for c in record.calls]
    record.valid = bool(record.calls) and all(p is None for p in problems)
    if not record.valid:
        record.invalid_reason = next((p for p in problems if p), None) or "no tool call"
    verdict = ast_match(record.calls, q)
    record.ast_ok, record.ast_kind, record.ast_detail = verdict.ok, verdict.kind, verdict.detail


def run_model(model: str, args: argparse.Namespace) -> list[Record]:
    from hetero_agents.models import model_path

    path = args.model_path or model_path(model)
    llm = _load_llama(path, args)
    answerers: dict[str, Callable[[BfclQuestion], Answer]] = {}
    if "raw" in args.mode:
        answerers["raw"] = _raw_answerer(llm, args)
    if "constrained" in args.mode:
        answerers["constrained"] = _constrained_answerer(llm, args)
    records: list[Record] = []
    for category in args.category:
        questions = sample_questions(category, args.n, seed=args.seed)
        for i, q in enumerate(questions):
            # Alternate which mode goes first so drift in machine load hits both alike.
            order = list(answerers) if i % 2 == 0 else list(reversed(answerers))
            for mode in order:
                records.append(_answer_one(model, category, mode, q, answerers[mode], llm))
            _progress(model, category, i + 1, len(questions), records[-len(order) :])
    return records


def _answer_one(
    model: str, category: str, mode: str, q: BfclQuestion, answer: Callable[..., Answer], llm: Any
) -> Record:
    llm.reset()  # no prompt-cache reuse between modes or questions
    start = time.perf_counter()
    try:
        calls, text = answer(q)
        error = None
    except Exception as exc:  # a benchmark records a failure and goes on
        calls, text, error = [], "", f"{type(exc).__name__}: {exc}"
    record = Record(model, category, mode, q.id, time.perf_counter() - start, calls, text)
    record.error = error
    _score(record, q)
    return record


def _progress(model: str, category: str, done: int, total: int, latest: Sequence[Record]) -> None:
    marks = " ".join(f"{r.mode}:{'ok' if r.ast_ok else 'x'}" for r in latest)
    print(f"  {model} {category} {done}/{total} {marks}", file=sys.stderr, flush=True)


def summarise(records: Sequence[Record]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[Record]] = {}
    for r in records:
        groups.setdefault((r.model, r.category, r.mode), []).append(r)
    rows = []
    for (model, category, mode), rs in groups.items():
        n = len(rs)
        rows.append(
            {
                "model": model,
                "category": category,
                "mode": mode,
                "n": n,
                "valid": sum(r.valid for r in rs) / n,
                "ast_accuracy": sum(r.ast_ok for r in rs) / n,
                "seconds_per_question": sum(r.seconds for r in rs) / n,
                "errors": sum(r.error is not None for r in rs),
            }
        )
    return rows


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| model | category | mode | n | schema-valid calls | AST accuracy "
        "| s / question | errors |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['category']} | {r['mode']} | {r['n']} | {r['valid']:.0%} "
            f"| {r['ast_accuracy']:.0%} | {r['seconds_per_question']:.2f} | {r['errors']} |"
        )
    return "\n".join(lines)


def main() -> None:
    args = _args()
    records: list[Record] = []
    try:
        for model in args.model:
            records.extend(run_model(model, args))
    except HeteroAgentsError as exc:  # missing model or data: the message says what to do
        sys.exit(f"error: {exc}")
    rows = summarise(records)
    print(" ".join(["python", *sys.argv]))
    print(markdown(rows))
    if args.out:
        payload = {
            "command": " ".join(["python", *sys.argv]),
            "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "machine": {"python": platform.python_version(), "platform": platform.platform()},
            "versions": {
                d: importlib.metadata.version(d) for d in ("llama-cpp-python", "bfcl-eval")
            },
            "summary": rows,
            "records": [asdict(r) for r in records],
        }
        args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
