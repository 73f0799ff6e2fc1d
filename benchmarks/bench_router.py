"""Router overhead and learned-routing decision latency.

1. **Router overhead per call** (target <= 0.1 ms): the same tiny request sent
   to an instant fake chat model directly and through ``ChatRouter`` with a
   ``RulePolicy``, interleaved (direct, router, router, direct, ...), in one
   process. The router's ``invoke`` replaces the tier's own ``invoke`` (the
   tier's ``_generate`` runs inside the router's run), so the difference of the
   medians is exactly what routing adds: gathering the context, deciding,
   resolving the tier's kwargs, stamping the decision. Three shapes: plain
   text, with bound tools, and a cascade that validates a tool call.

2. **ClusterPolicy decision latency** (target <= 5 ms median on 2 cores):
   ``policy.decide`` on distinct agent-like prompts (cold: every text embedded)
   and on repeated prompts (warm: embedding cache hits), with the static
   distillation of all-MiniLM-L6-v2 (the pipeline's default) and the full
   all-MiniLM-L6-v2 (bundled, offline) when the ``pipeline`` extra is
   installed, and with the weight-free ``HashingEmbedder``.

Prints a markdown table; ``--out FILE.json`` keeps every sample.

    python benchmarks/bench_router.py                   # full run (quiet machine)
    python benchmarks/bench_router.py --calls 300 --decisions 30 --clusters 8   # smoke
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool

from hetero_agents.routing import CascadePolicy, ChatRouter, RulePolicy
from hetero_agents.routing.context import RouteContext

OVERHEAD_TARGET_MS = 0.1
DECISION_TARGET_MS = 5.0


class InstantModel(BaseChatModel):
    """Answers at once with a fixed message: the cheapest possible tier."""

    answer: AIMessage

    @property
    def _llm_type(self) -> str:
        return "instant"

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kw: Any) -> Runnable:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], tool_choice=tool_choice)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.answer.model_copy())])


def weather(city: str, unit: str = "celsius") -> str:
    """Get the current weather in a city."""
    return city


def search(query: str, limit: int = 5) -> list[str]:
    """Search the knowledge base."""
    return [query][:limit]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - start) / 1e6


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_overhead(calls: int) -> list[dict[str, Any]]:
    messages = [SystemMessage("You are helpful."), HumanMessage("What is the weather in Rome?")]
    call = AIMessage(
        content="", tool_calls=[{"name": "weather", "args": {"city": "Rome"}, "id": "c1"}]
    )
    shapes: list[tuple[str, AIMessage, Any, bool]] = [
        ("text, RulePolicy", AIMessage(content="Sunny."), None, False),
        ("tools bound, RulePolicy", call, [weather, search], False),
        ("tools bound, CascadePolicy (validated)", call, [weather, search], True),
    ]
    rows = []
    for name, answer, tools, cascade in shapes:
        tier = InstantModel(answer=answer)
        policy = CascadePolicy() if cascade else RulePolicy(default="slm")
        router = ChatRouter(llm=InstantModel(answer=answer), slms={"tiny": tier}, policy=policy)
        direct: Any = tier.bind_tools(tools) if tools else tier
        routed: Any = router.bind_tools(tools) if tools else router
        for _ in range(50):  # warm up caches (tool bindings, schemas)
            direct.invoke(messages)
            routed.invoke(messages)
        base, through = [], []
        for i in range(calls):
            pair = (direct, routed) if i % 2 == 0 else (routed, direct)
            for runnable in pair:
                ms = timed(lambda r=runnable: r.invoke(messages))
                (base if runnable is direct else through).append(ms)
        overhead = statistics.median(through) - statistics.median(base)
        rows.append(
            {
                "shape": name,
                "direct_median_ms": statistics.median(base),
                "router_median_ms": statistics.median(through),
                "overhead_ms": overhead,
                "router_p99_ms": percentile(through, 0.99),
                "target_ms": OVERHEAD_TARGET_MS,
                "samples": {"direct": base, "router": through},
            }
        )
    return rows


def _prompts(n: int) -> list[list[BaseMessage]]:
    systems = [
        "Extract every date mentioned in the text as ISO 8601.",
        "Classify the support ticket as billing, bug, or question.",
        "Summarise the document in two sentences.",
        "Plan the steps to answer the user's question using the tools.",
    ]
    topics = ["invoice", "login", "Rome", "kernel", "refund", "meeting", "GPU", "contract"]
    return [
        [
            SystemMessage(systems[i % len(systems)]),
            HumanMessage(
                f"Ticket {i}: about the {topics[i % len(topics)]}, opened on day {i % 28 + 1}, "
                f"customer {i * 7919 % 1000} writes that item {i} is still pending."
            ),
        ]
        for i in range(n)
    ]


def bench_cluster(decisions: int, clusters: int, threads: int) -> list[dict[str, Any]]:
    import numpy as np

    from hetero_agents.routing.artifact import ClusterSpec, EmbeddingSpec, RouterArtifact
    from hetero_agents.routing.embedders import HashingEmbedder
    from hetero_agents.routing.policies.cluster import ClusterPolicy
    from hetero_agents.routing.text import routing_text

    embedders: list[Any] = [HashingEmbedder(384)]
    try:
        import torch

        torch.set_num_threads(threads)
        from hetero_agents.routing.embedders import SentenceTransformerEmbedder

        embedders[:0] = [
            SentenceTransformerEmbedder("minilm-static"),
            SentenceTransformerEmbedder(),
            SentenceTransformerEmbedder(precision="bfloat16"),
        ]
    except ImportError as exc:
        print(f"(skipping all-MiniLM-L6-v2: {exc})")
    prompts = _prompts(decisions)
    context = RouteContext(slms=("tiny",))
    rows = []
    for embedder in embedders:
        rng = np.random.default_rng(0)
        centroids = rng.normal(size=(clusters, embedder.dim)).astype(np.float32)
        specs = [
            ClusterSpec(id=i, tier="slm", model="tiny", threshold=2.0) for i in range(clusters)
        ]
        artifact = RouterArtifact(
            EmbeddingSpec(model=embedder.name, dim=embedder.dim), specs, centroids
        )
        policy = ClusterPolicy(artifact, embedder, cache_size=0)
        for warm in prompts[:5]:
            embedder.embed([routing_text(warm)])
        cold = [timed(lambda p=p, pol=policy: pol.decide(p, context)) for p in prompts]
        cached = ClusterPolicy(artifact, embedder, cache_size=1024)
        cached.decide(prompts[0], context)
        warm = [timed(lambda pol=cached: pol.decide(prompts[0], context)) for _ in range(decisions)]
        for label, samples in (("cold (embed every call)", cold), ("warm (cache hit)", warm)):
            rows.append(
                {
                    "embedder": embedder.name + _precision(embedder),
                    "case": label,
                    "clusters": clusters,
                    "median_ms": statistics.median(samples),
                    "p95_ms": percentile(samples, 0.95),
                    "target_ms": DECISION_TARGET_MS,
                    "samples": samples,
                }
            )
    return rows


def _precision(embedder: Any) -> str:
    precision = getattr(embedder, "precision", None)
    return f" ({precision})" if precision else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000, help="router calls per shape")
    parser.add_argument("--decisions", type=int, default=300, help="ClusterPolicy decisions")
    parser.add_argument("--clusters", type=int, default=64, help="clusters in the artifact")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the embedder")
    parser.add_argument("--skip-cluster", action="store_true", help="only the router overhead")
    parser.add_argument("--out", type=Path, help="write every sample to this JSON file")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    overhead = bench_overhead(args.calls)
    print("\n## Router overhead per call (fake instant tiers)\n")
    print("| shape | direct median ms | router median ms | overhead ms | router p99 ms | target |")
    print("|---|---:|---:|---:|---:|---|")
    for r in overhead:
        ok = "ok" if r["overhead_ms"] <= r["target_ms"] else "MISSED"
        print(
            f"| {r['shape']} | {r['direct_median_ms']:.4f} | {r['router_median_ms']:.4f} "
            f"| {r['overhead_ms']:.4f} | {r['router_p99_ms']:.4f} | <= {r['target_ms']} ({ok}) |"
        )
    decisions: list[dict[str, Any]] = []
    if not args.skip_cluster:
        decisions = bench_cluster(args.decisions, args.clusters, args.threads)
        where = f"{args.clusters} clusters, {args.threads} threads"
        print(f"\n## ClusterPolicy.decide latency ({where})\n")
        print("| embedder | case | median ms | p95 ms | target |")
        print("|---|---|---:|---:|---|")
        for r in decisions:
            ok = "ok" if r["median_ms"] <= r["target_ms"] else "MISSED"
            print(
                f"| {r['embedder']} | {r['case']} | {r['median_ms']:.3f} | {r['p95_ms']:.3f} "
                f"| <= {r['target_ms']} ({ok}) |"
            )
    if args.out:
        args.out.write_text(json.dumps({"overhead": overhead, "cluster": decisions}, indent=1))


if __name__ == "__main__":
    main()
