"""S3 clustering at scale: time per stage and quality (ARI) at 1k, 10k and 100k calls.

The workload is :func:`hetero_agents.pipeline.workload.build_workload`: eight
agents over BFCL's ``simple`` questions, each with its own system prompt and
tools, so the true task of every call is known (``--shared-prompt`` gives all
agents one generic prompt: only the user turn and the tools tell tasks apart).
For each size it runs :func:`hetero_agents.pipeline.cluster.cluster` (``k``
chosen by silhouette over ``2..k_max``) and reports, per stage, the seconds
``cluster`` itself measured:

* ``embed``: distinct routing texts through the embedder (nearly all the cost),
* ``choose k``: Ward tree + weighted silhouette on a 3000-call sample,
* ``fit``: k-means over every distinct text, from the sample's centres,
* ``label``: c-TF-IDF terms, dominant task / node, tools, radii.

plus the adjusted Rand index against the true tasks, the number of distinct
texts (only those are embedded) and ``k``. Targets: 100k calls in <= 10 min on
2 cores, embedding included; ARI >= 0.8. Building the workload and loading the
embedder are timed apart (they are not clustering).

Prints a markdown table (``--markdown FILE`` writes it too); ``--out FILE.json``
keeps every figure and each size's silhouette curve.

    python benchmarks/bench_cluster.py 1000 10000 100000        # the figures (quiet machine)
    python benchmarks/bench_cluster.py 1000 10000 100000 --embedder minilm-static  # 100x faster
    python benchmarks/bench_cluster.py 1000 --threads 1         # smoke
    python benchmarks/bench_cluster.py 2000 --embedder hashing  # no weights, seconds
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score

from hetero_agents.pipeline.cluster import STAGES, cluster
from hetero_agents.pipeline.workload import build_workload

TARGET_100K_S = 600.0
TARGET_ARI = 0.8


def make_embedder(kind: str) -> Any:
    from hetero_agents.pipeline import _embed_unique

    if kind == "hashing":
        from hetero_agents.routing.embedders import HashingEmbedder

        return HashingEmbedder(256)
    if kind == "minilm-fp32":
        from hetero_agents.routing.embedders import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(precision="float32")
    if kind == "minilm-static":
        return _embed_unique.static_embedder()
    return _embed_unique.default_embedder()  # MiniLM, bfloat16 where the CPU has it natively


def bench_size(n: int, embedder: Any, args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    calls = build_workload(n, seed=args.seed, shared_prompt=args.shared_prompt)
    build_s = time.perf_counter() - start
    timings: dict[str, float] = {}
    start = time.perf_counter()
    found = cluster(
        calls, embedder=embedder, k_max=args.k_max, seed=args.seed, progress=True, timings=timings
    )
    total_s = time.perf_counter() - start
    truth = [c.task for c in calls]
    ari = adjusted_rand_score(truth, [found.assignments[c.call_id] for c in calls])
    return {
        "calls": n,
        "distinct_texts": len({c.text for c in calls}),
        "k": len(found.clusters),
        "ari": ari,
        "stages_s": {stage: timings.get(stage, 0.0) for stage in STAGES},
        "total_s": total_s,
        "build_workload_s": build_s,
        "silhouette": {str(k): v for k, v in found.criterion.items()},
        "labels": [c.label for c in found.clusters],
    }


def table(rows: list[dict[str, Any]], header: str) -> str:
    lines = [
        header,
        "",
        "| calls | distinct texts | k | ARI | embed (s) | choose k (s) | fit (s) | label (s) "
        "| **total (s)** | ms / call |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r["stages_s"]
        lines.append(
            f"| {r['calls']:,} | {r['distinct_texts']:,} | {r['k']} | {r['ari']:.3f} "
            f"| {s['embed']:.1f} | {s['choose_k']:.2f} | {s['fit']:.2f} | {s['label']:.2f} "
            f"| **{r['total_s']:.1f}** | {1000 * r['total_s'] / r['calls']:.2f} |"
        )
    verdicts = []
    for r in rows:
        if r["calls"] == 100_000:
            ok = "met" if r["total_s"] <= TARGET_100K_S else "MISSED"
            verdicts.append(
                f"100k calls in {r['total_s']:.0f} s (target <= {TARGET_100K_S:.0f} s: {ok})"
            )
    worst = min(r["ari"] for r in rows)
    ok = "met" if worst >= TARGET_ARI else "MISSED"
    verdicts.append(f"lowest ARI {worst:.3f} (target >= {TARGET_ARI}: {ok})")
    return "\n".join([*lines, "", *verdicts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 10_000, 100_000])
    parser.add_argument(
        "--embedder",
        choices=["minilm", "minilm-static", "minilm-fp32", "hashing"],
        default="minilm",
        help="minilm: the default (bfloat16 where native); minilm-static: its static "
        "distillation; minilm-fp32; hashing (no weights)",
    )
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the embedder")
    parser.add_argument("--k-max", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shared-prompt", action="store_true", help="one prompt for all agents")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--out", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    embedder = make_embedder(args.embedder)
    load_s = time.perf_counter() - start
    precision = f" ({embedder.precision})" if hasattr(embedder, "precision") else ""
    rows = []
    for n in args.sizes:
        rows.append(bench_size(n, embedder, args))
        print(f"{n:,} calls: {rows[-1]['total_s']:.1f} s, ARI {rows[-1]['ari']:.3f}", flush=True)
    prompts = "one shared system prompt" if args.shared_prompt else "a system prompt per agent"
    header = (
        f"## S3 cluster: {embedder.name}{precision}, {args.threads} torch threads, "
        f"8 agents ({prompts}), k_max {args.k_max}, seed {args.seed}; embedder load {load_s:.1f} s"
    )
    text = table(rows, header)
    print()
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.out:
        args.out.write_text(json.dumps({"load_s": load_s, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
