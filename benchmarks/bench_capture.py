"""Benchmark S1 capture: time the logger adds to each call, and the writer's rows/s.

1. Calling-thread overhead. The same LangGraph graph (one node, one scripted
   chat-model call per invocation) is invoked with and without a ``CallLogger``,
   alternating A/B in one run so that machine noise hits both sides alike. The
   added time per call is the difference of the medians (and of the p99s);
   target: <= 0.2 ms added with the default redactor. A do-nothing handler is
   measured the same way: what LangChain's callback dispatch costs by itself.
2. Writer throughput. Realistic rows (queued by the logger itself from real
   callback events, as the drafts the writer thread shapes into rows) are queued
   all at once and the clock runs until ``flush()`` returns: committed rows per
   second, in several rounds (a fresh database each) because one figure on a
   shared machine says little about the next. Target: >= 20,000 rows/s.

Usage:
    python benchmarks/bench_capture.py                  # full run (a few minutes)
    python benchmarks/bench_capture.py --calls 200 --rows 2000 --rounds 1   # smoke run
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langgraph.graph import END, START, MessagesState, StateGraph

from hetero_agents.logs import CallLogger, NoRedaction
from hetero_agents.logs._batch import connect_for_writing
from hetero_agents.logs._health import CaptureHealth
from hetero_agents.logs._writer import BackgroundWriter

PROMPT = (
    "Extract the order number and the customer's city from this message: "
    "'Hi, my order 48213 never arrived at my flat in Leeds, please check.' "
    "Answer as JSON with keys order_id and city."
)
ANSWER = AIMessage(
    '{"order_id": "48213", "city": "Leeds"}',
    usage_metadata={"input_tokens": 62, "output_tokens": 14, "total_tokens": 76},
    response_metadata={"model_name": "gpt-4o-mini", "finish_reason": "stop"},
)


def build_graph() -> Any:
    """One node that calls a scripted chat model once: a call costs almost nothing itself."""
    model = GenericFakeChatModel(messages=itertools.cycle([ANSWER]))

    def extract(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("extract", extract)
    graph.add_edge(START, "extract")
    graph.add_edge("extract", END)
    return graph.compile()


class _NoOp(BaseCallbackHandler):
    """Subscribes to what CallLogger subscribes to, and does nothing with it."""

    run_inline = True

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        """Handled, as CallLogger handles it (the base class would send it to ``on_llm_start``)."""

    @property
    def ignore_chain(self) -> bool:
        return True

    @property
    def ignore_retriever(self) -> bool:
        return True

    @property
    def ignore_retry(self) -> bool:
        return True


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def overhead(calls: int, warmup: int, workdir: Path) -> list[dict[str, Any]]:
    """Per-call wall time of the same graph with and without each logger configuration."""
    graph = build_graph()
    inputs = {"messages": [SystemMessage("You extract fields."), HumanMessage(PROMPT)]}
    variants: dict[str, Callable[[Path], BaseCallbackHandler]] = {
        # What LangChain itself costs once any handler is attached (run managers,
        # run ids, dispatch): the floor under every logger row below.
        "no-op handler (LangChain dispatch only)": lambda _p: _NoOp(),
        "default (DefaultRedactor)": CallLogger,
        "NoRedaction()": lambda p: CallLogger(p, redactor=NoRedaction()),
        "capture_content=False": lambda p: CallLogger(p, capture_content=False),
    }
    rows = []
    for index, (name, make) in enumerate(variants.items()):
        logger = make(workdir / f"overhead-{index}.db")
        with_config = {"callbacks": [logger]}
        for _ in range(warmup):
            graph.invoke(inputs, with_config)
            graph.invoke(inputs)
        plain: list[float] = []
        logged: list[float] = []
        for _ in range(calls):  # interleaved A/B: noise falls on both sides
            start = time.perf_counter()
            graph.invoke(inputs)
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            graph.invoke(inputs, with_config)
            logged.append(time.perf_counter() - start)
        if isinstance(logger, CallLogger):
            logger.close()
        base, added = statistics.median(plain), statistics.median(logged)
        rows.append(
            {
                "logger": name,
                "median without (ms)": base * 1e3,
                "median with (ms)": added * 1e3,
                "added median (ms)": (added - base) * 1e3,
                "added p99 (ms)": (percentile(logged, 99) - percentile(plain, 99)) * 1e3,
                "ratio": added / base,
            }
        )
    return rows


def captured_rows(n: int, workdir: Path) -> list[tuple[str, Any]]:
    """``n`` rows exactly as the logger queues them (drafts) from real callback events."""
    import random
    from uuid import UUID

    logger = CallLogger(workdir / "rows-source.db")
    rows: list[tuple[str, Any]] = []
    logger._writer.submit = lambda table, row: rows.append((table, row))  # type: ignore[method-assign]
    messages = [SystemMessage("You extract fields."), HumanMessage(PROMPT)]
    result = LLMResult(generations=[[ChatGeneration(message=ANSWER)]])
    metadata = {"langgraph_node": "extract", "langgraph_step": 1, "thread_id": "bench"}
    for _ in range(n):
        run_id = UUID(int=random.getrandbits(128))
        logger.on_chat_model_start({}, [messages], run_id=run_id, metadata=metadata)
        logger.on_llm_end(result, run_id=run_id)
    logger.close()
    return rows


def writer_throughput(rows: list[tuple[str, Any]], path: Path) -> float:
    """Rows per second from the first queued row until ``flush()`` returns."""
    CallLogger(path).close()  # create and migrate
    health = CaptureHealth()
    writer = BackgroundWriter(
        lambda: connect_for_writing(path, 5.0), health=health, queue_size=len(rows) + 1
    )
    start = time.perf_counter()
    for table, row in rows:
        writer.submit(table, row)
    assert writer.flush(timeout=600), "the writer did not finish"
    elapsed = time.perf_counter() - start
    writer.close()
    assert not health.counts(), health.counts()
    return len(rows) / elapsed


def writer_rounds(n: int, rounds: int, workdir: Path) -> dict[str, Any]:
    """``rounds`` throughput runs over the same ``n`` rows, each into a fresh database.

    Each round's files are deleted before the next starts, so the kernel is not
    still writing one round's 160 MB back to disk during the next.
    """
    rows = captured_rows(n, workdir)
    rates = []
    for index in range(rounds):
        path = workdir / f"throughput-{index}.db"
        rates.append(writer_throughput(rows, path))
        for written in workdir.glob(f"{path.name}*"):  # the db, its WAL and shm
            written.unlink()  # the next round is not slowed by writing this one back
    return {
        "rows": n,
        "rounds": rounds,
        "min rows/s": round(min(rates)),
        "**median rows/s**": round(statistics.median(rates)),
        "max rows/s": round(max(rates)),
        "each round": " / ".join(f"{rate:,.0f}" for rate in rates),
    }


def table(rows: list[dict[str, Any]]) -> str:
    headers = list(rows[0])
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        cells = [
            f"{v:,.3f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)
            for v in row.values()
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5_000, help="A/B pairs per variant")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured pairs first")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for the writer test")
    parser.add_argument("--rounds", type=int, default=5, help="writer runs, each a fresh db")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp:
        workdir = Path(tmp)
        print(f"## CallLogger overhead ({args.calls:,} interleaved calls per variant)\n")
        print(table(overhead(args.calls, args.warmup, workdir)))
        print(f"\n## Writer throughput ({args.rows:,} rows, {args.rounds} rounds)\n")
        print(table([writer_rounds(args.rows, args.rounds, workdir)]))
    print(
        f"\n{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}; targets: added <= 0.2 ms, >= 20,000 rows/s"
    )


if __name__ == "__main__":
    main()
