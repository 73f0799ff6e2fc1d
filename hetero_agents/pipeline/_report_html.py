"""The HTML report: one self-contained page, readable offline and without JavaScript.

Every value that came from records goes through :func:`escape` (or is a number
we formatted), so cluster labels, node names and reasons - all user data - can
never become markup. The page's CSS lives in ``report_template.html`` next to
this module; charts are inline SVG; nothing is fetched from anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from string import Template

from hetero_agents.pipeline._report_data import Comparison, ReportData
from hetero_agents.pipeline._report_figures import ReportFigures, report_figures
from hetero_agents.pipeline._report_format import NOT_AVAILABLE, change, ms, pct, seconds, usd
from hetero_agents.pipeline._report_markup import card, empty, table
from hetero_agents.pipeline._report_sections import (
    agreement_section,
    clusters_section,
    curve_section,
    map_section,
)
from hetero_agents.pipeline._svg import escape
from hetero_agents.pipeline.records import DriftFlag

_RATE_METRICS = frozenset({"escalation_rate", "validation_failures", "far_calls"})


@cache
def _template() -> Template:
    source = resources.files("hetero_agents.pipeline").joinpath("report_template.html")
    return Template(source.read_text(encoding="utf-8"))


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document (see :mod:`hetero_agents.pipeline.report`)."""
    figures = report_figures(data)
    sections: list[tuple[str, str, str]] = [("savings", "Savings", _savings(data, figures))]
    if data.comparison is not None:
        sections.append(("comparison", "LLM only vs routed", _comparison(data.comparison)))
    sections += [
        ("map", "Map of the clusters", map_section(figures)),
        ("clusters", "Clusters and decisions", clusters_section(figures)),
        ("agreement", "SLM agreement with the LLM", agreement_section(figures)),
        ("curve", "Cost/quality curve", curve_section(figures)),
        ("drift", "Drift", _drift(data.drift, figures)),
        ("method", "How these figures are computed", _method(data)),
    ]
    body = "\n".join(
        f'<section id="{key}">\n<h2>{escape(heading)}</h2>\n{content}\n</section>'
        for key, heading, content in sections
    )
    nav = "<nav>" + "".join(f'<a href="#{key}">{escape(h)}</a>' for key, h, _ in sections)
    return _template().substitute(
        title=escape(data.title), meta=_meta(data), nav=nav + "</nav>", body=body
    )


def _meta(data: ReportData) -> str:
    parts = [f"Generated {escape(data.created_utc)}"]
    clustering = data.clustering
    if clustering is not None:
        parts.append(
            f"{len(clustering.clusters)} clusters ({escape(clustering.method or 'method n/a')}) "
            f"over {len(clustering.assignments)} calls"
        )
        parts.append(f"embedder {escape(clustering.embedder)} (dim {clustering.dim})")
        parts.append(f"routing text v{escape(clustering.text_version)}")
    else:
        parts.append("no clustering yet")
    return " · ".join(parts)


def _savings(data: ReportData, figures: ReportFigures) -> str:
    s = figures.savings
    n_slm = sum(row.on_slm for row in figures.rows)
    cards = [
        card(pct(s.call_share), f"of calls moved to SLMs ({s.slm_calls} of {s.calls})"),
        card(pct(s.token_share), f"of tokens moved ({s.slm_tokens:,} of {s.tokens:,})"),
        card(
            usd(s.cost_saved_usd),
            f"estimated LLM cost saved ({usd(s.llm_cost_usd)} LLM only, "
            f"{usd(s.routed_cost_usd)} routed)",
        ),
        card(
            ms(s.latency_saved_ms),
            f"mean latency saved per call ({ms(s.llm_latency_ms)} LLM, "
            f"{ms(s.routed_latency_ms)} routed)",
        ),
        card(f"{n_slm} of {len(figures.rows)}", "clusters served by an SLM"),
        card(pct(figures.operating_point.quality), "expected agreement with the LLM"),
    ]
    price = (
        "Local SLMs are priced at $0 per token (the default)"
        if data.slm_usd_per_mtok == 0
        else f"SLM tokens are priced at {usd(data.slm_usd_per_mtok)} per million"
    )
    note = (
        f"Over the {s.calls} curated calls. LLM cost and latency are as the LLM recorded them; "
        f"SLM latency is the chosen candidate's median from the S4 replay. {price}."
    )
    return f'<div class="cards">{"".join(cards)}</div>\n<p class="note">{escape(note)}</p>'


def _comparison(comparison: Comparison) -> str:
    base, routed = comparison.baseline, comparison.routed
    rows = [
        ("Tasks", f"{base.tasks:,}", f"{routed.tasks:,}", ""),
        (
            "Task success",
            pct(base.task_success),
            pct(routed.task_success),
            f"{pct(comparison.success_retained)} of LLM-only success retained",
        ),
        ("Calls served by SLMs", pct(base.slm_share), pct(routed.slm_share), ""),
        ("Tokens", f"{base.tokens:,}", f"{routed.tokens:,}", change(base.tokens, routed.tokens)),
        (
            "Estimated cost",
            usd(base.cost_usd),
            usd(routed.cost_usd),
            change(base.cost_usd, routed.cost_usd),
        ),
        (
            "Mean latency per task",
            seconds(base.mean_task_latency_s),
            seconds(routed.mean_task_latency_s),
            change(base.mean_task_latency_s, routed.mean_task_latency_s),
        ),
    ]
    grid = table(
        ["", base.name, routed.name, "change"],
        ([escape(cell) for cell in row] for row in rows),
        numeric=(1, 2, 3),
    )
    note = f'<p class="note">{escape(comparison.note)}</p>' if comparison.note else ""
    return grid + note


def _drift(flags: Sequence[DriftFlag], figures: ReportFigures) -> str:
    if not flags:
        return empty("No drift flags: no incremental run has compared live traffic yet.")
    labels = {row.cluster.id: row.cluster.label for row in figures.rows}
    rows = [
        [
            escape(flag.metric),
            escape(f"#{flag.cluster_id} {labels.get(flag.cluster_id, '')}")
            if flag.cluster_id is not None
            else "all calls",
            _drift_value(flag.metric, flag.value),
            _drift_value(flag.metric, flag.baseline),
            '<span class="flagged">flagged</span>' if flag.flagged else "ok",
            escape(flag.note),
        ]
        for flag in sorted(flags, key=lambda f: (not f.flagged, f.metric, f.cluster_id or -1))
    ]
    n_flagged = sum(flag.flagged for flag in flags)
    head = f"<p>{n_flagged} of {len(flags)} drift checks are flagged.</p>"
    return head + table(
        ["metric", "cluster", "now", "baseline", "status", "note"], rows, numeric=(2, 3)
    )


def _drift_value(metric: str, value: float | None) -> str:
    if value is None:
        return NOT_AVAILABLE
    return pct(value) if metric in _RATE_METRICS else f"{value:.4g}"


def _method(data: ReportData) -> str:
    items = [
        "A call moves to an SLM when its cluster's selection is the SLM tier; calls in no "
        "cluster stay on the LLM.",
        "Agreement is measured in S4 by replaying each cluster's eval split on every candidate "
        "and mode and comparing with the LLM's recorded answers (tool name and arguments, "
        "JSON validity, or text similarity, as the metric column says).",
        "Expected agreement counts 1 for calls left on the LLM and the chosen candidate's "
        "agreement for moved calls, weighted by calls.",
        "Cost and latency savings compare the curated calls' recorded LLM usage with the same "
        "calls routed; SLM latency is the median per call measured in S4 on this machine.",
        f"SLM tokens are priced at {usd(data.slm_usd_per_mtok)} per million: in-process models "
        "have no per-call price, so this is 0 unless you set it.",
    ]
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
