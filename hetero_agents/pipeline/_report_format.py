"""How the report writes numbers, shared by the HTML page and the terminal summary.

One set of formatters means the two outputs show the same figure the same way
(and tests can find it); a missing figure is written as "n/a", never as 0.
"""

from __future__ import annotations

NOT_AVAILABLE = "n/a"


def pct(value: float | None, digits: int = 1) -> str:
    """A 0..1 share as a percentage: ``pct(0.625) == "62.5%"``."""
    return NOT_AVAILABLE if value is None else f"{value * 100:.{digits}f}%"


def usd(value: float | None) -> str:
    """Dollars; below one dollar with four decimals, since per-call costs are small."""
    if value is None:
        return NOT_AVAILABLE
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    return f"{sign}${magnitude:,.4f}" if magnitude < 1 else f"{sign}${magnitude:,.2f}"


def ms(value: float | None) -> str:
    """Milliseconds, whole."""
    return NOT_AVAILABLE if value is None else f"{value:,.0f} ms"


def seconds(value: float | None) -> str:
    """Seconds with two decimals."""
    return NOT_AVAILABLE if value is None else f"{value:,.2f} s"


def change(before: float | None, after: float | None) -> str:
    """Relative change from ``before`` to ``after``: ``"-37.5%"``, ``"+4.0%"``."""
    if before is None or after is None or before == 0:
        return NOT_AVAILABLE
    return f"{(after - before) / before * 100:+.1f}%"
