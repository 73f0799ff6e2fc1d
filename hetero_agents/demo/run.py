"""The end-to-end demo: log an LLM-only agent, convert, route, and compare on held-out tasks.

Phases (each with a progress bar):

1. **LLM only, train tasks** - the agent runs with the LLM for every call and a
   ``CallLogger`` records everything into ``logs.db``: the pipeline's input.
2. **LLM only, held-out tasks** - the baseline the routed run must keep up
   with, logged separately (``baseline.db``) so the pipeline never sees it.
3. **convert** - S2-S6 on ``logs.db``: curate, cluster, select (the SLM replays
   each cluster's eval split, zero-shot and few-shot), route (a router artifact).
4. **routed, held-out tasks** - the same graph, the same tasks, with the model
   replaced by a ``ChatRouter`` driven by a ``ClusterPolicy`` over the new
   artifact (``routed.db``).

Then a side-by-side table: task success, share of calls served by SLMs,
tokens, estimated cost and mean latency per task; and the HTML report.

Cost is estimated: the LLM stands in for a hosted model, so its calls are
priced at :data:`LLM_PRICE` (gpt-4.1-mini's list price); SLM calls run on
this machine and cost 0.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hetero_agents.demo.agent import TaskOutcome, run_task
from hetero_agents.demo.workload import DemoTask, demo_tasks
from hetero_agents.logs.pricing import Price

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from rich.console import Console

    from hetero_agents.pipeline.convert import ConvertResult
    from hetero_agents.pipeline.report import Comparison, RunFigures

LLM_PRICE = Price(0.40, 1.60)
"""USD per 1M input/output tokens put on LLM calls (gpt-4.1-mini's list price)."""

DEFAULT_LLM = "qwen2.5-coder-1.5b"
DEFAULT_SLM = "qwen2.5-coder-0.5b"


@dataclass(frozen=True, slots=True)
class DemoConfig:
    """What the demo runs.

    Attributes:
        tasks: Held-out tasks compared LLM-only vs routed.
        train_tasks: Tasks the LLM runs alone to produce the log (default: 14, or twice
            ``tasks`` if that is more; S3 needs about 10 calls per task, 3 per agent task).
        workdir: Where ``logs.db``, ``baseline.db``, ``routed.db``, ``router/`` and
            ``report.html`` go.
        llm_url: An OpenAI-compatible endpoint to use as the LLM instead of starting
            the local server (``llm_model`` names the model there).
        llm_model: The catalog model served locally, or the model name at ``llm_url``.
        slm: Catalog name or ``.gguf`` path of the in-process SLM.
        threads: llama.cpp threads for the SLM and the local server (the agent makes
            one call at a time, so each may use every core).
        seed: Same seed, same tasks.
    """

    tasks: int = 6
    train_tasks: int | None = None
    workdir: Path = Path("hetero-demo")
    llm_url: str | None = None
    llm_model: str = DEFAULT_LLM
    slm: str = DEFAULT_SLM
    threads: int | None = None
    seed: int = 0
    max_tokens: int = 256

    @property
    def n_train(self) -> int:
        """Train tasks to run."""
        return self.train_tasks if self.train_tasks is not None else max(14, 2 * self.tasks)


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo measured."""

    comparison: Comparison
    converted: ConvertResult
    baseline: list[TaskOutcome]
    routed: list[TaskOutcome]
    report: Path | None


def run_demo(config: DemoConfig, console: Console) -> DemoResult:
    """Run the four phases and return the comparison (see the module docstring)."""
    from hetero_agents.logs.logger import CallLogger
    from hetero_agents.pipeline.convert import convert
    from hetero_agents.pipeline.report import Comparison

    workdir = config.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    for name in ("logs.db", "baseline.db", "routed.db"):
        for suffix in ("", "-wal", "-shm"):
            (workdir / f"{name}{suffix}").unlink(missing_ok=True)
    train, heldout = demo_tasks(config.n_train, config.tasks, seed=config.seed)
    prices = {config.llm_model: LLM_PRICE}

    with ExitStack() as stack:
        llm = stack.enter_context(_llm(config, console))
        slm = _load_slm(config, console)

        console.rule(f"1/4 LLM only: {len(train)} train tasks (logged for the pipeline)")
        with CallLogger(workdir / "logs.db", prices=prices) as logger:
            _run_tasks(llm, train, logger, console, "LLM only (train)")

        console.rule(f"2/4 LLM only: {len(heldout)} held-out tasks (the baseline)")
        with CallLogger(workdir / "baseline.db", prices=prices) as logger:
            baseline = _run_tasks(llm, heldout, logger, console, "LLM only (held-out)")

        console.rule("3/4 convert: curate, cluster, select, route")
        converted = convert(
            workdir / "logs.db",
            candidates={config.slm: slm},
            root=workdir / "router",
            report="",
            seed=config.seed,
        )
        console.print(
            f"router artifact v{converted.version.version}: {converted.version.n_slm} of "
            f"{converted.version.n_clusters} clusters on the SLM"
        )

        console.rule(f"4/4 routed: the same {len(heldout)} held-out tasks")
        router = _router(converted, llm, slm, config)
        with CallLogger(workdir / "routed.db", prices=prices) as logger:
            routed = _run_tasks(router, heldout, logger, console, "routed (held-out)")

    comparison = Comparison(
        baseline=figures("LLM only", baseline, workdir / "baseline.db"),
        routed=figures("routed", routed, workdir / "routed.db"),
        note=(
            f"{len(heldout)} held-out BFCL tasks (seed {config.seed}), pipeline trained on "
            f"{len(train)} others; LLM {config.llm_model}, SLM {config.slm}; LLM calls priced "
            f"at ${LLM_PRICE.input}/${LLM_PRICE.output} per 1M tokens, SLM calls at 0."
        ),
    )
    report = _write_report(workdir, comparison)
    return DemoResult(comparison, converted, baseline, routed, report)


def figures(name: str, outcomes: Sequence[TaskOutcome], db: Path) -> RunFigures:
    """A run's figures: task success from the outcomes, calls/tokens/cost from its log."""
    from hetero_agents.logs.store import LogStore
    from hetero_agents.pipeline.report import RunFigures

    with LogStore(db) as store:
        calls = list(store.calls(top_level=True))
    return RunFigures(
        name=name,
        tasks=len(outcomes),
        task_success=sum(o.success for o in outcomes) / len(outcomes) if outcomes else 0.0,
        calls=len(calls),
        slm_calls=sum(c.tier == "slm" for c in calls),
        input_tokens=sum(c.input_tokens or 0 for c in calls),
        output_tokens=sum(c.output_tokens or 0 for c in calls),
        cost_usd=sum(c.cost_usd or 0.0 for c in calls),
        mean_task_latency_s=statistics.fmean(o.seconds for o in outcomes) if outcomes else 0.0,
    )


def _run_tasks(
    model: BaseChatModel,
    tasks: Sequence[DemoTask],
    logger: Any,
    console: Console,
    label: str,
) -> list[TaskOutcome]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    outcomes: list[TaskOutcome] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("ok {task.fields[ok]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task(label, total=len(tasks), ok=0)
        for task in tasks:
            config = {"callbacks": [logger], "metadata": {"demo_task": task.id}}
            outcome = run_task(model, task, config)  # type: ignore[arg-type]
            outcomes.append(outcome)
            progress.update(bar, advance=1, ok=sum(o.success for o in outcomes))
    logger.flush()
    return outcomes


@contextmanager
def _llm(config: DemoConfig, console: Console) -> Iterator[BaseChatModel]:
    """The LLM tier: a remote OpenAI-compatible endpoint, or the local server."""
    if config.llm_url is not None:
        import os

        from langchain_openai import ChatOpenAI

        yield ChatOpenAI(
            base_url=config.llm_url,
            model=config.llm_model,
            api_key=os.environ.get("OPENAI_API_KEY", "none"),  # type: ignore[arg-type]
            temperature=0.0,
            max_completion_tokens=config.max_tokens,
        )
        return
    from hetero_agents.cli.models import ensure_model
    from hetero_agents.models.server import LocalLLMServer

    ensure_model(config.llm_model)
    server = LocalLLMServer(config.llm_model, n_threads=config.threads or _cores())
    with console.status(f"starting {config.llm_model} behind an OpenAI-compatible server"):
        server.start()
    try:
        console.print(f"[green]LLM[/] {config.llm_model} at {server.base_url} (openai client)")
        yield server.chat_model(temperature=0.0, max_completion_tokens=config.max_tokens)
    finally:
        server.stop()


def _load_slm(config: DemoConfig, console: Console) -> BaseChatModel:
    from hetero_agents.cli.models import ensure_model
    from hetero_agents.models.loader import load_model

    if not config.slm.endswith(".gguf"):
        ensure_model(config.slm)
    with console.status(f"loading {config.slm} in-process"):
        slm = load_model(
            config.slm,
            n_threads=config.threads or _cores(),
            temperature=0.0,
            max_tokens=config.max_tokens,
        )
    console.print(f"[green]SLM[/] {config.slm} in-process (llama.cpp)")
    return slm


def _router(
    converted: ConvertResult, llm: BaseChatModel, slm: BaseChatModel, config: DemoConfig
) -> BaseChatModel:
    """A ``ChatRouter`` over the new artifact, reusing the already-loaded SLM."""
    from hetero_agents.models.loader import load_model
    from hetero_agents.routing import ChatRouter, ClusterPolicy
    from hetero_agents.routing.artifact import RouterArtifact

    artifact = RouterArtifact.load(converted.artifact_path)

    def loader(model: str, /, **kwargs: Any) -> BaseChatModel:
        if model == config.slm and not kwargs.get("lora_path"):
            return slm
        return load_model(model, **kwargs)

    slms = artifact.build_slms(loader=loader, n_threads=config.threads or _cores())
    if not slms:  # nothing moved: the router still needs an SLM tier to exist
        slms = {config.slm: slm}
    return ChatRouter(llm=llm, slms=slms, policy=ClusterPolicy(artifact))


def _write_report(workdir: Path, comparison: Comparison) -> Path:
    from hetero_agents.logs.store import LogStore
    from hetero_agents.pipeline.report import report_data_from_store, write_report
    from hetero_agents.pipeline.store import PipelineStore

    with LogStore(workdir / "logs.db") as store:
        data = report_data_from_store(PipelineStore(store), comparison=comparison)
    return write_report(data, workdir / "report.html")


def _cores() -> int:
    from hetero_agents.models.server import available_cores

    return available_cores()


__all__ = [
    "DEFAULT_LLM",
    "DEFAULT_SLM",
    "LLM_PRICE",
    "DemoConfig",
    "DemoResult",
    "figures",
    "run_demo",
]
