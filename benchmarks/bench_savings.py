"""The number the project exists for: how much agent work moves to SLMs without losing quality.

The demo's measurement (``hetero-agents demo``) over more tasks: an LLM-only
run of the three-node BFCL agent is logged, ``convert`` learns a router
artifact from it, and the same held-out tasks run LLM-only and routed, side by
side in one process (the machine is shared and noisy: only ratios measured in
one run are compared). Goal: >= 60 % of calls served by SLMs while keeping
>= 95 % of the LLM-only task success.

    python benchmarks/bench_savings.py --tasks 40 --train-tasks 80     # full run
    python benchmarks/bench_savings.py --tasks 2 --train-tasks 6 \\
        --llm-model smollm2-135m --slm smollm2-135m                     # smoke

Prints a markdown table; ``--out FILE.json`` keeps every figure and task outcome.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

from rich.console import Console

from hetero_agents.demo.run import DEFAULT_LLM, DEFAULT_SLM, DemoConfig, run_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=40, help="held-out tasks")
    parser.add_argument("--train-tasks", type=int, default=None, help="train tasks (2x default)")
    parser.add_argument("--llm-model", default=DEFAULT_LLM)
    parser.add_argument("--llm-url", default=None, help="an OpenAI-compatible endpoint instead")
    parser.add_argument("--slm", default=DEFAULT_SLM)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("bench-savings"))
    parser.add_argument("--out", type=Path, default=None, help="write every figure as JSON")
    args = parser.parse_args()

    config = DemoConfig(
        tasks=args.tasks,
        train_tasks=args.train_tasks,
        workdir=args.workdir,
        llm_url=args.llm_url,
        llm_model=args.llm_model,
        slm=args.slm,
        threads=args.threads,
        seed=args.seed,
    )
    started = time.perf_counter()
    result = run_demo(config, Console(stderr=True))
    seconds = time.perf_counter() - started
    base, routed = result.comparison.baseline, result.comparison.routed
    retained = result.comparison.success_retained

    print(
        f"\n{config.n_train} train tasks, {config.tasks} held-out tasks, seed {config.seed}; "
        f"LLM {config.llm_model}, SLM {config.slm}; {seconds / 60:.1f} min in all\n"
    )
    print("| run | task success | calls | **SLM share** | tokens | est. cost (USD) | mean s/task |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run in (base, routed):
        print(
            f"| {run.name} | {run.task_success:.0%} | {run.calls} | **{run.slm_share:.0%}** | "
            f"{run.tokens:,} | {run.cost_usd:.4f} | {run.mean_task_latency_s:.1f} |"
        )
    print(
        f"\nRouted success retained: **{retained:.0%}** of LLM-only"
        if retained is not None
        else "\nRouted success retained: n/a (LLM-only success is 0)"
    )
    selections = result.converted.selected.selections
    print(f"Clusters on the SLM: {sum(s.tier == 'slm' for s in selections)} of {len(selections)}")
    for s in selections:
        print(f"- cluster {s.cluster_id}: {s.tier} {s.model or ''} {s.mode or ''} - {s.reason}")
    if args.out is not None:
        payload = {
            "config": {k: str(v) for k, v in asdict(config).items()},
            "seconds": seconds,
            "baseline": asdict(base),
            "routed": asdict(routed),
            "outcomes": {
                "baseline": [asdict(o) for o in result.baseline],
                "routed": [asdict(o) for o in result.routed],
            },
        }
        args.out.write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
