"""The conversion pipeline on the command line: one command per stage, and ``convert``.

``hetero-agents curate | cluster | finetune | select | route | report | export``
each run one stage on the log database (``--db``), reading the previous stage's
results from it and saving their own; ``hetero-agents convert`` runs S2-S6 in
order. Every command prints a short summary, and typed errors become one red
line that says what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.table import Table

from hetero_agents.cli._console import console
from hetero_agents.cli.logs import DbOption, KeyOption, _store

if TYPE_CHECKING:
    from hetero_agents.pipeline.records import Mode
    from hetero_agents.pipeline.store import PipelineStore
    from hetero_agents.routing.embedders import Embedder

Seed = Annotated[int, typer.Option(help="Seed for splits, clustering and sampling.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
Embed = Annotated[
    str | None,
    typer.Option(
        "--embedder",
        help="minilm (default: the bundled all-MiniLM-L6-v2), minilm-static (its static "
        "distillation: 100x faster, coarser), or a sentence-transformers name or folder.",
        show_default=False,
    ),
]
Root = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Router artifact directory (default: router/ next to the db).",
        show_default=False,
    ),
]
Candidates = Annotated[
    list[str] | None,
    typer.Option(
        "--candidate",
        "-c",
        help="Candidate SLM (catalog name or .gguf); repeat. Default: installed catalog SLMs.",
        show_default=False,
    ),
]
Modes = Annotated[
    list[str] | None,
    typer.Option(
        "--mode",
        "-m",
        help="zero-shot, few-shot, lora; repeat (default: zero-shot, few-shot).",
        show_default=False,
    ),
]


Threshold = Annotated[float, typer.Option(help="Required share of the LLM's self-agreement.")]
MinAgreement = Annotated[
    float, typer.Option(help="Required agreement where self-agreement is not measurable.")
]
Steps = Annotated[int, typer.Option(help="Training steps per cluster.")]


@contextmanager
def _pipeline(db: Path | None, key: str | None) -> Iterator[PipelineStore]:
    with _store(db, key) as logs:
        from hetero_agents.pipeline.store import PipelineStore

        yield PipelineStore(logs)


def _embedder(name: str | None) -> Embedder | None:
    if name is None:
        return None
    from hetero_agents.routing.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(name)


def _modes(modes: Sequence[str] | None) -> list[Mode]:
    return cast("list[Mode]", list(modes or ("zero-shot", "few-shot")))


def curate(
    *,
    db: DbOption = None,
    key: KeyOption = None,
    surrogates: Annotated[
        bool, typer.Option(help="Replace names and numbers with surrogates.")
    ] = False,
    eval_fraction: Annotated[float, typer.Option(help="Share of each task held out for S4.")] = 0.2,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """S2: select the calls worth learning from, scrub, deduplicate, split train/eval."""
    from hetero_agents.pipeline.stages import run_curate

    with _pipeline(db, key) as store:
        result = run_curate(
            store, surrogates=surrogates, eval_fraction=eval_fraction, seed=seed, progress=not quiet
        )
    console.print(
        f"[green]curated[/] {len(result.examples)} of {result.n_in} calls "
        f"({len(result.train)} train, {len(result.eval)} eval)"
    )
    if result.dropped:
        dropped = ", ".join(f"{reason} {n}" for reason, n in sorted(result.dropped.items()))
        console.print(f"dropped: {dropped}")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")


def cluster(
    *,
    db: DbOption = None,
    key: KeyOption = None,
    embedder: Embed = None,
    k: Annotated[
        int | None, typer.Option(help="Force this many clusters (default: chosen).")
    ] = None,
    fresh: Annotated[
        bool, typer.Option(help="Start over instead of updating the last clustering.")
    ] = False,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """S3: embed each call's task signature and group calls into tasks."""
    from hetero_agents.pipeline.stages import run_cluster

    with _pipeline(db, key) as store:
        clustering = run_cluster(
            store,
            embedder=_embedder(embedder),
            k=k,
            incremental=not fresh,
            seed=seed,
            progress=not quiet,
        )
    table = Table(
        "cluster",
        "calls",
        "label",
        "node",
        "tools",
        title=f"{len(clustering.clusters)} clusters ({clustering.method})",
    )
    for c in clustering.clusters:
        table.add_row(str(c.id), str(c.size), c.label, c.node or "", ", ".join(c.tools[:3]))
    console.print(table)


def finetune(
    *,
    db: DbOption = None,
    key: KeyOption = None,
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Catalog SLM to fine-tune; repeat.")
    ] = None,
    steps: Steps = 60,
    cluster_id: Annotated[
        list[int] | None, typer.Option("--cluster", help="Only these clusters; repeat.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the GGUF adapters.")] = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """S5: LoRA-distil each cluster's LLM answers into an SLM (GGUF adapters)."""
    from hetero_agents.pipeline.stages import run_finetune

    with _pipeline(db, key) as store:
        adapters = run_finetune(
            store,
            models=model or ["smollm2-135m"],
            out=out,
            steps=steps,
            clusters=cluster_id,
            seed=seed,
            progress=not quiet,
        )
    if not adapters:
        console.print("[yellow]no cluster had enough train examples to fine-tune on[/]")
    for (cid, name), path in sorted(adapters.items()):
        console.print(f"[green]adapter[/] cluster {cid} x {name}: {path}")


def select(
    *,
    db: DbOption = None,
    key: KeyOption = None,
    candidate: Candidates = None,
    mode: Modes = None,
    threshold: Threshold = 0.95,
    min_agreement: MinAgreement = 0.8,
    max_eval: Annotated[int, typer.Option(help="Eval calls replayed per cluster at most.")] = 50,
    embedder: Embed = None,
    quiet: Quiet = False,
) -> None:
    """S4: replay each cluster on candidate SLMs and choose the cheapest that agrees."""
    from hetero_agents.pipeline.stages import run_select

    with _pipeline(db, key) as store:
        result = run_select(
            store,
            candidates=candidate or None,
            modes=_modes(mode),
            threshold=threshold,
            min_agreement=min_agreement,
            max_eval=max_eval,
            embedder=_embedder(embedder),
            progress=not quiet,
        )
    table = Table(
        "cluster", "tier", "model", "mode", "score", "required", "reason", title="selection"
    )
    for s in result.selections:
        table.add_row(
            str(s.cluster_id),
            s.tier + (f" ({s.change})" if s.change else ""),
            s.model or "",
            s.mode or "",
            "" if s.score is None else f"{s.score:.2f}",
            f"{s.required:.2f}",
            s.reason,
        )
    console.print(table)


def route(
    *,
    db: DbOption = None,
    key: KeyOption = None,
    out: Root = None,
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Make the previous version current again.")
    ] = False,
    to: Annotated[int | None, typer.Option(help="With --rollback: this version.")] = None,
) -> None:
    """S6: publish the selections as the next router artifact version (or roll back)."""
    from hetero_agents.pipeline import stages

    with _pipeline(db, key) as store:
        if rollback:
            version = stages.rollback(store, root=out, to=to)
            console.print(f"[green]current[/] is version {version.version} again: {version.path}")
            return
        version = stages.run_route(store, root=out)
    console.print(
        f"[green]published[/] router artifact v{version.version} "
        f"({version.n_slm} of {version.n_clusters} clusters on an SLM): {version.path}"
    )


def report(
    *,
    db: DbOption = None,
    key: KeyOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="HTML file (default: report.html next to the db)."),
    ] = None,
) -> None:
    """Write the self-contained HTML report and print a summary."""
    from hetero_agents.pipeline.report import print_summary, report_data_from_store, write_report
    from hetero_agents.pipeline.stages import default_artifact_root

    with _pipeline(db, key) as store:
        data = report_data_from_store(store)
        target = output or default_artifact_root(store).parent / "report.html"
        path = write_report(data, target)
    print_summary(data, console)
    console.print(f"[green]report[/] {path}")


def export(
    out: Annotated[Path, typer.Argument(help="Folder to write the datasets into.")],
    *,
    db: DbOption = None,
    key: KeyOption = None,
    fmt: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="openai, hf, sharegpt; repeat (default: all)."),
    ] = None,
    split: Annotated[str, typer.Option(help="train, eval or all.")] = "train",
) -> None:
    """S5: per-cluster fine-tuning datasets for teams that fine-tune elsewhere."""
    from hetero_agents.errors import PipelineError
    from hetero_agents.pipeline.export import FORMATS
    from hetero_agents.pipeline.export import export as write

    with _pipeline(db, key) as store:
        clustering = store.clustering()
        if clustering is None:
            raise PipelineError("no clustering yet: run `hetero-agents cluster` first")
        written = write(
            store.examples(),
            clustering,
            out,
            formats=cast(Any, fmt or FORMATS),
            split=cast(Any, split),
        )
    for name, path in written.items():
        console.print(f"[green]{name}[/] {path}")


def convert(
    *,
    db: DbOption = None,
    key: KeyOption = None,
    candidate: Candidates = None,
    mode: Modes = None,
    finetune: Annotated[
        bool, typer.Option(help="Also LoRA fine-tune per cluster (slow on a CPU).")
    ] = False,
    finetune_steps: Steps = 60,
    threshold: Threshold = 0.95,
    min_agreement: MinAgreement = 0.8,
    embedder: Embed = None,
    out: Root = None,
    output: Annotated[Path | None, typer.Option("--report", help="HTML report path.")] = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """S2-S6 in one go: curate, cluster, (finetune), select, route, drift, report."""
    from hetero_agents.pipeline.convert import convert as run
    from hetero_agents.pipeline.report import print_summary, report_data_from_store
    from hetero_agents.pipeline.store import PipelineStore

    with _store(db, key) as logs:
        result = run(
            logs,
            candidates=candidate or None,
            modes=_modes(mode),
            finetune=finetune,
            finetune_steps=finetune_steps,
            threshold=threshold,
            min_agreement=min_agreement,
            embedder=_embedder(embedder),
            root=out,
            report=output,
            seed=seed,
            progress=not quiet,
        )
        print_summary(report_data_from_store(PipelineStore(logs)), console)
    flagged = [f for f in result.drift if f.flagged]
    for flag in flagged:
        console.print(f"[yellow]drift:[/] {flag.note}")
    console.print(
        f"[green]router artifact[/] v{result.version.version}: {result.artifact_path}\n"
        f"[green]report[/] {result.report}"
    )


COMMANDS: dict[str, Callable[..., None]] = {
    "curate": curate,
    "cluster": cluster,
    "finetune": finetune,
    "select": select,
    "route": route,
    "report": report,
    "export": export,
    "convert": convert,
}


def register(app: typer.Typer) -> None:
    """Add the pipeline commands to the root app."""
    for name, command in COMMANDS.items():
        app.command(name)(command)
