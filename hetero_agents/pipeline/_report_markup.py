"""Small HTML building blocks of the report; callers pass text, these escape it.

The one exception is :func:`table`, whose cells are markup: callers build them
from :func:`escape`-d text, our own formatted numbers, or these helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hetero_agents.pipeline._report_figures import ClusterRow
from hetero_agents.pipeline._svg import escape


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Iterable[int] = ()
) -> str:
    """A table whose cells are *already-safe* markup (escaped text or our own tags)."""
    right = set(numeric)

    def cls(i: int) -> str:
        return ' class="num"' if i in right else ""

    head = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def empty(text: str) -> str:
    """A muted placeholder paragraph for a section with nothing to show yet."""
    return f'<p class="empty">{escape(text)}</p>'


def card(value: str, label: str) -> str:
    """A headline figure with its explanation underneath."""
    return (
        f'<div class="card"><div class="value">{escape(value)}</div>'
        f'<div class="label">{escape(label)}</div></div>'
    )


def tier_badge(row: ClusterRow) -> str:
    """A coloured SLM / LLM / not-scored badge for a cluster's decision."""
    if row.selection is None:
        return '<span class="tier tier-none">not scored</span>'
    tier = row.selection.tier
    return f'<span class="tier tier-{escape(tier)}">{escape(tier.upper())}</span>'
