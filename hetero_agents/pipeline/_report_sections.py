"""The report's per-cluster sections: the map, the decisions, agreement bars, the curve."""

from __future__ import annotations

from hetero_agents.pipeline._report_charts import (
    MAP_LABELS,
    agreement_bars,
    cluster_map,
    curve_chart,
)
from hetero_agents.pipeline._report_figures import ClusterRow, ReportFigures
from hetero_agents.pipeline._report_format import NOT_AVAILABLE, ms, pct, usd
from hetero_agents.pipeline._report_markup import empty, table, tier_badge
from hetero_agents.pipeline._svg import escape


def map_section(figures: ReportFigures) -> str:
    """The 2-D cluster map, or a note that there are no clusters yet."""
    if not figures.rows:
        return empty("No clusters yet: run `hetero-agents cluster` (or `convert`) first.")
    labelled = (
        f"The {MAP_LABELS} largest are labelled; hover any circle for its name."
        if len(figures.rows) > MAP_LABELS
        else "Hover a circle for its full label."
    )
    caption = (
        "Each circle is a cluster placed by the first two principal components of its "
        "centroid; its area is proportional to its number of calls; its colour is the "
        f"chosen tier. {labelled}"
    )
    return f"<figure>{cluster_map(figures)}<figcaption>{escape(caption)}</figcaption></figure>"


def clusters_section(figures: ReportFigures) -> str:
    """One row per cluster: size, share, node, tools, decision and its reason."""
    if not figures.rows:
        return empty("No clusters yet.")
    total = figures.savings.calls
    rows = []
    for row in figures.rows:
        c, sel = row.cluster, row.selection
        change_ = sel.change if sel else None
        rows.append(
            [
                str(c.id),
                escape(c.label),
                f"{c.size:,}",
                pct(c.size / total if total else None),
                escape(c.node or ""),
                escape(", ".join(c.tools)),
                tier_badge(row),
                escape(sel.model or "") if sel else "",
                escape(sel.mode or "") if sel else "",
                pct(sel.score) if sel else NOT_AVAILABLE,
                pct(sel.required) if sel else NOT_AVAILABLE,
                f'<span class="{change_}">{change_}</span>' if change_ else "",
                escape(sel.reason) if sel else "",
            ]
        )
    headers = [
        "#",
        "label",
        "calls",
        "share",
        "node",
        "tools",
        "tier",
        "model",
        "mode",
        "score",
        "required",
        "change",
        "reason",
    ]
    unassigned = (
        f'<p class="note">{figures.unassigned} curated calls fell in no cluster and stay '
        "on the LLM.</p>"
        if figures.unassigned
        else ""
    )
    return table(headers, rows, numeric=(0, 2, 3, 9, 10)) + unassigned


def agreement_section(figures: ReportFigures) -> str:
    """Per cluster: every candidate x mode's agreement, the bar it had to clear, the choice."""
    if not figures.rows:
        return empty("No clusters yet.")
    legend = (
        '<p class="note">Bars: dark teal is the chosen candidate, light teal cleared the '
        "required level (dashed red line) but was not chosen (a cheaper one was), grey did "
        "not clear it.</p>"
    )
    return legend + "\n".join(_agreement_one(row) for row in figures.rows)


def _agreement_one(row: ClusterRow) -> str:
    sel = row.selection
    chosen = f"{sel.model} ({sel.mode})" if sel and sel.tier == "slm" else "stays on the LLM"
    required = f", required {pct(sel.required)}" if sel else ""
    summary = (
        f"<summary><h3>#{row.cluster.id} {escape(row.cluster.label)}</h3> {tier_badge(row)} "
        f"{escape(chosen)}{escape(required)}</summary>"
    )
    if not row.scores:
        reason = f" {sel.reason}" if sel else ""
        body = empty(f"No candidate was replayed on this cluster.{reason}")
        return f"<details open>{summary}{body}</details>"
    table_rows = []
    for score in row.scores:
        mark = "✔ " if score is row.chosen else ""
        table_rows.append(
            [
                escape(mark + score.candidate),
                escape(score.mode),
                escape(score.metric),
                f"{score.n:,}",
                pct(score.accuracy),
                pct(score.validity),
                pct(score.similarity),
                ms(score.latency_ms),
                f"{score.footprint_mb:,.0f} MB",
                f"{score.errors:,}",
            ]
        )
    grid = table(
        [
            "candidate",
            "mode",
            "metric",
            "n",
            "agreement",
            "valid",
            "similarity",
            "latency",
            "footprint",
            "errors",
        ],
        table_rows,
        numeric=range(3, 10),
    )
    reason = f'<p class="note">{escape(sel.reason)}</p>' if sel else ""
    return f"<details open>{summary}<figure>{agreement_bars(row)}</figure>{grid}{reason}</details>"


def curve_section(figures: ReportFigures) -> str:
    """The cost/quality curve chart, and the same points as a table."""
    if len(figures.curve) < 2:
        return empty("No cluster was scored on an SLM, so there is no curve to draw yet.")
    caption = (
        "Clusters are moved to their best SLM candidate one at a time, in order of agreement. "
        "x: share of all calls then served by SLMs (each one an LLM call avoided); y: expected "
        "agreement with the LLM over all calls (1 for calls left on the LLM). The orange point "
        "is where the actual selections sit."
    )
    rows = [
        [
            str(i),
            f"#{p.cluster_id}" if p.cluster_id is not None else "none (all on the LLM)",
            pct(p.share_moved),
            pct(p.quality),
            usd(p.cost_saved_usd),
        ]
        for i, p in enumerate(figures.curve)
    ]
    op = figures.operating_point
    rows.append(
        ["chosen", "the selections", pct(op.share_moved), pct(op.quality), usd(op.cost_saved_usd)]
    )
    grid = table(
        ["step", "cluster moved", "calls on SLMs", "expected agreement", "LLM cost avoided"],
        rows,
        numeric=(2, 3, 4),
    )
    return (
        f"<figure>{curve_chart(figures)}<figcaption>{escape(caption)}</figcaption></figure>"
        f"<details><summary>The curve as a table</summary>{grid}</details>"
    )
