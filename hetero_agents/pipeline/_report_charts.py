"""The report's three charts, as inline SVG: the cluster map, agreement bars, the curve.

Each function takes already-computed figures and returns one ``<svg>`` string;
text is escaped by :mod:`~hetero_agents.pipeline._svg`, so user-given labels are
safe to draw.
"""

from __future__ import annotations

import math

from hetero_agents.pipeline._report_figures import ClusterRow, CurvePoint, ReportFigures
from hetero_agents.pipeline._svg import LinearScale, Svg

SLM_COLOUR = "#2a9d8f"
LLM_COLOUR = "#8d99ae"
UNSCORED_COLOUR = "#d9dde3"
CLEARED_COLOUR = "#94d2bd"
CHOSEN_POINT_COLOUR = "#e76f51"

_LABEL_CHARS = 28
MAP_LABELS = 20
"""How many clusters (the largest) the map labels in place."""


def tier_colour(row: ClusterRow) -> str:
    """The colour of a cluster's chosen tier (grey-blue LLM, teal SLM, pale unscored)."""
    if row.selection is None:
        return UNSCORED_COLOUR
    return SLM_COLOUR if row.on_slm else LLM_COLOUR


def short(text: str, limit: int = _LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for labels inside charts."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cluster_map(figures: ReportFigures) -> str:
    """Clusters on their centroids' first two principal components.

    Both axes share one scale, so distances on the map are comparable in every
    direction; circle *area* is proportional to the cluster's size. Circles
    shrink as clusters multiply, and labels are drawn last so none is hidden.
    """
    width, height, margin = 680.0, 420.0, 48.0
    rows = figures.rows
    max_r = min(36.0, max(10.0, 36.0 * math.sqrt(8 / len(rows))))
    svg = Svg(width, height, title="Map of the clusters (PCA of their centroids)")
    xs = [figures.positions[row.cluster.id][0] for row in rows]
    ys = [figures.positions[row.cluster.id][1] for row in rows]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-12)
    unit = min(width - 2 * (margin + max_r), height - 2 * (margin + max_r)) / span
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    biggest = max(row.cluster.size for row in rows) or 1
    labels: list[tuple[float, float, str]] = []
    by_size = sorted(zip(rows, xs, ys, strict=True), key=lambda t: -t[0].cluster.size)
    for rank, (row, x, y) in enumerate(by_size):  # largest first, so small ones stay on top
        cx = width / 2 + (x - mid_x) * unit
        cy = height / 2 - (y - mid_y) * unit
        r = max(3.0, max_r * math.sqrt(row.cluster.size / biggest))
        tier = "SLM" if row.on_slm else ("LLM" if row.selection else "not scored")
        tip = f"#{row.cluster.id} {row.cluster.label}: {row.cluster.size} calls, {tier}"
        svg.circle(cx, cy, r, fill=tier_colour(row), css_class="bubble", tooltip=tip)
        if rank < MAP_LABELS:  # beyond that labels only collide; the tooltip still names it
            labels.append((cx, cy + r + 13, f"#{row.cluster.id} {short(row.cluster.label)}"))
    for x, y, label in labels:
        svg.text(x, y, label, anchor="middle", css_class="label")
    _legend(svg, 12, 16)
    pc1, pc2 = figures.explained
    svg.text(width - 8, height - 8, f"PC1 {pc1:.0%} · PC2 {pc2:.0%} of variance", anchor="end")
    return svg.render()


def _legend(svg: Svg, x: float, y: float) -> None:
    for i, (name, colour) in enumerate(
        (("SLM", SLM_COLOUR), ("LLM", LLM_COLOUR), ("not scored", UNSCORED_COLOUR))
    ):
        svg.rect(x + i * 92, y - 10, 12, 12, fill=colour)
        svg.text(x + i * 92 + 17, y, name)


def agreement_bars(row: ClusterRow) -> str:
    """One bar per candidate x mode: agreement with the LLM, the bar to clear, the choice."""
    label_w, bar_w, row_h, top = 230.0, 330.0, 22.0, 26.0
    width = label_w + bar_w + 60
    height = top + row_h * len(row.scores) + 26
    svg = Svg(width, height, title=f"Agreement with the LLM, cluster #{row.cluster.id}")
    scale = LinearScale((0.0, 1.0), (label_w, label_w + bar_w))
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        svg.line(scale(tick), top - 4, scale(tick), height - 22, css_class="grid")
        svg.text(scale(tick), height - 8, f"{tick:.0%}", anchor="middle", css_class="tick")
    required = row.selection.required if row.selection else None
    for i, score in enumerate(row.scores):
        y = top + i * row_h
        chosen = score is row.chosen
        passes = required is not None and score.accuracy >= required
        colour = SLM_COLOUR if chosen else (CLEARED_COLOUR if passes else LLM_COLOUR)
        tip = (
            f"{score.candidate} {score.mode}: agreement {score.accuracy:.1%} on {score.n} calls, "
            f"validity {score.validity:.1%}, {score.latency_ms:.0f} ms/call"
        )
        name = f"{short(score.candidate, 22)} · {score.mode}" + (" ✔" if chosen else "")
        svg.text(label_w - 8, y + 14, name, anchor="end", css_class="strong" if chosen else "")
        svg.rect(
            label_w, y + 3, scale(score.accuracy) - label_w, row_h - 6, fill=colour, tooltip=tip
        )
        svg.text(scale(score.accuracy) + 4, y + 15, f"{score.accuracy:.0%}", css_class="tick")
    if required is not None:
        x = scale(min(max(required, 0.0), 1.0))
        svg.line(x, top - 8, x, height - 22, css_class="required")
        svg.text(x, top - 12, f"required {required:.0%}", anchor="middle", css_class="tick")
    return svg.render()


def curve_chart(figures: ReportFigures) -> str:
    """The cost/quality curve, with the selections' operating point marked."""
    width, height = 680.0, 390.0
    left, right, top, bottom = 64.0, 24.0, 36.0, 52.0
    points = [*figures.curve, figures.operating_point]
    y_min, step = _quality_axis(min(point.quality for point in points))
    x_scale = LinearScale((0.0, 1.0), (left, width - right))
    y_scale = LinearScale((y_min, 1.0), (height - bottom, top))
    svg = Svg(width, height, title="Cost/quality curve: calls moved to SLMs vs expected quality")
    for i in range(5):
        x_tick = i / 4
        svg.line(x_scale(x_tick), top, x_scale(x_tick), height - bottom, css_class="grid")
        svg.text(x_scale(x_tick), height - bottom + 16, f"{x_tick:.0%}", anchor="middle")
    n_steps = round((1.0 - y_min) / step)
    for i in range(n_steps + 1):
        y_tick = y_min + i * step
        svg.line(left, y_scale(y_tick), width - right, y_scale(y_tick), css_class="grid")
        svg.text(left - 6, y_scale(y_tick) + 4, f"{y_tick:.0%}", anchor="end")
    svg.line(left, height - bottom, width - right, height - bottom)
    svg.line(left, top, left, height - bottom)
    svg.text(
        (left + width - right) / 2, height - 12, "share of calls moved to SLMs", anchor="middle"
    )
    svg.text(8, 16, "expected agreement with the LLM")
    svg.polyline(
        [(x_scale(p.share_moved), y_scale(p.quality)) for p in figures.curve], css_class="curve"
    )
    for point in figures.curve:
        svg.circle(
            x_scale(point.share_moved),
            y_scale(point.quality),
            3.5,
            fill=SLM_COLOUR,
            tooltip=_point_tip(point),
        )
    chosen = figures.operating_point
    cx, cy = x_scale(chosen.share_moved), y_scale(chosen.quality)
    svg.circle(cx, cy, 7, fill=CHOSEN_POINT_COLOUR, css_class="chosen", tooltip=_point_tip(chosen))
    svg.text(cx + 10, cy - 10, "chosen", css_class="strong")
    return svg.render()


def _quality_axis(lowest: float) -> tuple[float, float]:
    """Bottom of the quality axis and a tick step: whole percents, at most six steps.

    The axis starts at 90% or lower, so small quality losses are visible without
    being blown up into a cliff.
    """
    lowest = max(0.0, min(lowest, 0.9))
    for step in (0.02, 0.05, 0.1):
        y_min = math.floor(lowest / step + 1e-9) * step
        if (1.0 - y_min) / step <= 6 + 1e-9:
            return y_min, step
    return 0.0, 0.2


def _point_tip(point: CurvePoint) -> str:
    moved = f"after moving cluster #{point.cluster_id}: " if point.cluster_id is not None else ""
    return (
        f"{moved}{point.share_moved:.1%} of calls on SLMs, expected agreement "
        f"{point.quality:.1%}, LLM cost avoided ${point.cost_saved_usd:,.4f}"
    )
