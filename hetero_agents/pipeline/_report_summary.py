"""The report's short form for the terminal: a rich table per cluster and the totals.

It uses the same figures and formatters as the HTML page, so the two can never
disagree. Text from records is passed to rich as :class:`~rich.text.Text`, which
rich never parses for markup, so a label like ``[bold]`` prints as written.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hetero_agents.pipeline._report_data import Comparison, ReportData
from hetero_agents.pipeline._report_figures import ClusterRow, ReportFigures, report_figures
from hetero_agents.pipeline._report_format import change, ms, pct, seconds, usd

_TIER_STYLE = {"slm": "bold green", "llm": "cyan"}


def print_summary(data: ReportData, console: Console | None = None) -> None:
    """Print the per-cluster decisions, the totals and (if any) the demo comparison.

    Args:
        data: What to summarise.
        console: Where to print; a fresh stdout console by default (pass
            ``Console(record=True)`` to capture the output).
    """
    out = console if console is not None else Console()
    figures = report_figures(data)
    if not figures.rows:
        out.print(Text("No clusters yet: run `hetero-agents cluster` (or `convert`) first."))
    else:
        out.print(cluster_table(figures))
        out.print(_totals(data, figures))
    if data.comparison is not None:
        out.print(comparison_table(data.comparison))
    flagged = [flag for flag in data.drift if flag.flagged]
    if flagged:
        out.print(Text(f"{len(flagged)} drift flag(s) raised; see the HTML report.", "bold red"))


def cluster_table(figures: ReportFigures) -> Table:
    """One row per cluster: size, who serves it, its score against the bar, what changed."""
    table = Table(title="Clusters and decisions", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("cluster")
    table.add_column("calls", justify="right")
    table.add_column("tier")
    table.add_column("model / mode")
    table.add_column("score / required", justify="right")
    table.add_column("change")
    for row in figures.rows:
        table.add_row(*_cells(row))
    savings = figures.savings
    table.add_section()
    table.add_row(
        "",
        Text("total", "bold"),
        f"{savings.calls:,}",
        Text(f"{pct(savings.call_share)} SLM", "bold green"),
        f"{sum(row.on_slm for row in figures.rows)} of {len(figures.rows)} clusters on SLMs",
        f"{pct(figures.operating_point.quality)} expected",
        "",
    )
    return table


def _cells(row: ClusterRow) -> list[str | Text]:
    sel = row.selection
    if sel is None:
        return [
            str(row.cluster.id),
            Text(row.cluster.label),
            f"{row.cluster.size:,}",
            Text("not scored", "dim"),
            "",
            "",
            "",
        ]
    model = Text(f"{sel.model} / {sel.mode}") if sel.tier == "slm" else Text("LLM", "dim")
    verdict = f"{pct(sel.score)} / {pct(sel.required)}"
    change_ = sel.change
    return [
        str(row.cluster.id),
        Text(row.cluster.label),
        f"{row.cluster.size:,}",
        Text(sel.tier.upper(), _TIER_STYLE[sel.tier]),
        model,
        verdict,
        Text(change_, "green" if change_ == "promoted" else "red") if change_ else "",
    ]


def _totals(data: ReportData, figures: ReportFigures) -> Text:
    s = figures.savings
    price = (
        "local SLMs priced at $0"
        if data.slm_usd_per_mtok == 0
        else (f"SLM tokens at {usd(data.slm_usd_per_mtok)}/M")
    )
    return Text(
        f"Moved to SLMs: {pct(s.call_share)} of calls, {pct(s.token_share)} of tokens. "
        f"Estimated LLM cost saved: {usd(s.cost_saved_usd)} of {usd(s.llm_cost_usd)} "
        f"({price}). Mean latency per call: {ms(s.llm_latency_ms)} LLM, "
        f"{ms(s.routed_latency_ms)} routed."
    )


def comparison_table(comparison: Comparison) -> Table:
    """The demo's side-by-side table: LLM only vs routed on the same held-out tasks."""
    base, routed = comparison.baseline, comparison.routed
    table = Table(
        title="LLM only vs routed",
        title_justify="left",
        caption=Text(comparison.note) if comparison.note else None,
    )
    table.add_column("")
    table.add_column(Text(base.name), justify="right")
    table.add_column(Text(routed.name), justify="right")
    table.add_column("change", justify="right")
    table.add_row("tasks", f"{base.tasks:,}", f"{routed.tasks:,}", "")
    table.add_row(
        "task success",
        pct(base.task_success),
        pct(routed.task_success),
        f"{pct(comparison.success_retained)} retained",
    )
    table.add_row("calls on SLMs", pct(base.slm_share), pct(routed.slm_share), "")
    table.add_row(
        "tokens", f"{base.tokens:,}", f"{routed.tokens:,}", change(base.tokens, routed.tokens)
    )
    table.add_row(
        "estimated cost",
        usd(base.cost_usd),
        usd(routed.cost_usd),
        change(base.cost_usd, routed.cost_usd),
    )
    table.add_row(
        "mean latency per task",
        seconds(base.mean_task_latency_s),
        seconds(routed.mean_task_latency_s),
        change(base.mean_task_latency_s, routed.mean_task_latency_s),
    )
    return table
