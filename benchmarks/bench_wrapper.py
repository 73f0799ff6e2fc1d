"""Wrapper efficiency: ChatLlamaCpp.invoke vs raw Llama.create_chat_completion (target >= 0.97).

Both sides use one ``llama_cpp.Llama`` (injected into ChatLlamaCpp with
``client=``), the same prompts, temperature 0, the same seed and the same
``max_tokens``. Calls are interleaved (raw, wrapper, wrapper, raw, ...) so
that drift in machine load hits both alike, and the KV cache is cleared
before each call so neither side reuses the other's prompt.

Decode speed is generated tokens / (wall time - prompt-evaluation time),
where the prompt time comes from llama.cpp's own performance counters. The
wall time includes everything Python does per token on each side, which is
exactly the overhead the wrapper must keep small.

    python benchmarks/bench_wrapper.py --model smollm2-135m --rounds 5 --max-tokens 128
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hetero_agents.errors import HeteroAgentsError

TARGET = 0.97

Reply = tuple[int, int, str]  # (prompt tokens, generated tokens, text)

PROMPTS = (
    "Write a short story about a lighthouse keeper who finds a message in a bottle.",
    "Explain, step by step, how a hash map handles collisions.",
    "List ten practical tips for writing maintainable Python code, with one sentence each.",
    "Describe the water cycle to a ten-year-old.",
)


@dataclass
class Sample:
    """One timed call."""

    side: str
    prompt: int
    round: int
    wall_s: float
    prompt_eval_s: float
    prompt_tokens: int
    completion_tokens: int
    text: str

    @property
    def decode_s(self) -> float:
        return max(self.wall_s - self.prompt_eval_s, 1e-9)


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model", default="smollm2-135m", help="catalog name")
    p.add_argument("--model-path", type=Path, help="GGUF to use instead of the catalog's")
    p.add_argument("--rounds", type=int, default=5, help="passes over the prompts")
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--n-threads", type=int, default=2)
    p.add_argument("--n-ctx", type=int, default=2048)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, help="write every sample and the summary as JSON")
    return p.parse_args()


class PromptTimer:
    """Reads llama.cpp's prompt-evaluation time for the next call on a context."""

    def __init__(self, llm: Any) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self._ctx = llm._ctx.ctx  # the C context; llama-cpp-python exposes no public handle

    def reset(self) -> None:
        self._lib.llama_perf_context_reset(self._ctx)

    def prompt_seconds(self) -> float:
        return float(self._lib.llama_perf_context(self._ctx).t_p_eval_ms) / 1000.0


def _sides(llm: Any, args: argparse.Namespace) -> dict[str, Callable[[str], Reply]]:
    from langchain_core.messages import HumanMessage

    from hetero_agents.chat_models.llama_cpp import ChatLlamaCpp

    # Identical sampling on both sides: greedy, no repetition penalty (llama-cpp-python's
    # default is 1.1; ChatLlamaCpp's is 1.0), so both should produce the same tokens.
    chat = ChatLlamaCpp(
        client=llm,
        n_ctx=args.n_ctx,
        temperature=0.0,
        repeat_penalty=1.0,
        max_tokens=args.max_tokens,
        seed=args.seed,
    )

    def raw(prompt: str) -> Reply:
        out = llm.create_chat_completion(
            messages=[{"role": "user", "content": prompt}],
            temperature=0.0,
            repeat_penalty=1.0,
            max_tokens=args.max_tokens,
            seed=args.seed,
        )
        usage = out["usage"]
        text = str(out["choices"][0]["message"]["content"])
        return int(usage["prompt_tokens"]), int(usage["completion_tokens"]), text

    def wrapper(prompt: str) -> Reply:
        message = chat.invoke([HumanMessage(content=prompt)])
        usage = message.usage_metadata or {"input_tokens": 0, "output_tokens": 0}
        return int(usage["input_tokens"]), int(usage["output_tokens"]), str(message.content)

    return {"raw": raw, "wrapper": wrapper}


def run(args: argparse.Namespace) -> list[Sample]:
    from llama_cpp import Llama

    from hetero_agents.models import model_path

    path = args.model_path or model_path(args.model)
    llm: Any = Llama(
        model_path=str(path),
        n_ctx=args.n_ctx,
        n_threads=args.n_threads,
        seed=args.seed,
        verbose=False,
    )
    sides = _sides(llm, args)
    timer = PromptTimer(llm)
    for call in sides.values():  # warm-up, untimed: first-call allocations and page faults
        llm.reset()
        call(PROMPTS[0])
    samples: list[Sample] = []
    for rnd in range(args.rounds):
        for i, prompt in enumerate(PROMPTS):
            order = ["raw", "wrapper"] if (rnd + i) % 2 == 0 else ["wrapper", "raw"]
            for side in order:
                llm.reset()
                timer.reset()
                start = time.perf_counter()
                n_prompt, n_out, text = sides[side](prompt)
                wall = time.perf_counter() - start
                samples.append(
                    Sample(side, i, rnd, wall, timer.prompt_seconds(), n_prompt, n_out, text)
                )
        print(f"  round {rnd + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return samples


def summarise(samples: list[Sample]) -> dict[str, Any]:
    by_side = {s: [x for x in samples if x.side == s] for s in ("raw", "wrapper")}
    rate = {
        side: sum(x.completion_tokens for x in xs) / sum(x.decode_s for x in xs)
        for side, xs in by_side.items()
    }
    end_to_end = {
        side: sum(x.completion_tokens for x in xs) / sum(x.wall_s for x in xs)
        for side, xs in by_side.items()
    }
    pairs = {(x.round, x.prompt): x for x in by_side["raw"]}
    pair_ratios = [
        (w.completion_tokens / w.decode_s) / (r.completion_tokens / r.decode_s)
        for w in by_side["wrapper"]
        if (r := pairs[(w.round, w.prompt)]).completion_tokens and w.completion_tokens
    ]
    same = sum(w.text == pairs[(w.round, w.prompt)].text for w in by_side["wrapper"])
    same_prompt = sum(
        w.prompt_tokens == pairs[(w.round, w.prompt)].prompt_tokens for w in by_side["wrapper"]
    )
    return {
        "decode_tok_s": rate,
        "end_to_end_tok_s": end_to_end,
        "ratio": rate["wrapper"] / rate["raw"],
        "pair_ratio_median": statistics.median(pair_ratios) if pair_ratios else None,
        "pair_ratio_min": min(pair_ratios, default=None),
        "pair_ratio_max": max(pair_ratios, default=None),
        "identical_outputs": f"{same}/{len(by_side['wrapper'])}",
        "same_prompt_length": f"{same_prompt}/{len(by_side['wrapper'])}",
        "tokens": {side: sum(x.completion_tokens for x in xs) for side, xs in by_side.items()},
        "calls": {side: len(xs) for side, xs in by_side.items()},
    }


def markdown(summary: dict[str, Any]) -> str:
    ratio = summary["ratio"]
    verdict = "meets" if ratio >= TARGET else "MISSES"
    lines = [
        "| side | calls | generated tokens | decode tok/s | end-to-end tok/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for side in ("raw", "wrapper"):
        lines.append(
            f"| {'Llama.create_chat_completion' if side == 'raw' else 'ChatLlamaCpp.invoke'} "
            f"| {summary['calls'][side]} | {summary['tokens'][side]} "
            f"| {summary['decode_tok_s'][side]:.1f} | {summary['end_to_end_tok_s'][side]:.1f} |"
        )
    lines += [
        "",
        f"**decode tokens/s ratio (wrapper / raw): {ratio:.3f}** — {verdict} the target {TARGET}. "
        f"Per-pair ratios: median {summary['pair_ratio_median']:.3f}, "
        f"min {summary['pair_ratio_min']:.3f}, max {summary['pair_ratio_max']:.3f}; "
        f"identical outputs: {summary['identical_outputs']}, "
        f"same prompt length: {summary['same_prompt_length']}.",
    ]
    return "\n".join(lines)


def main() -> None:
    args = _args()
    try:
        samples = run(args)
    except HeteroAgentsError as exc:  # missing model: the message says what to do
        sys.exit(f"error: {exc}")
    summary = summarise(samples)
    print(" ".join(["python", *sys.argv]))
    print(markdown(summary))
    if args.out:
        payload = {
            "command": " ".join(["python", *sys.argv]),
            "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "summary": summary,
            "samples": [asdict(s) for s in samples],
        }
        args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
