"""A very small SVG writer for the report's charts: no plotting library, no JavaScript.

The report must open offline from one file, so its charts are inline SVG. The
few primitives it needs (rectangles, circles, lines, a polyline, text with a
hover title) fit in this module; everything written is escaped here, once, so a
chart cannot be broken - or turned into markup - by a cluster label that came
from user data. Output is well-formed XML as well as valid HTML5.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

# C0 control characters other than tab / newline / carriage return are not allowed
# in XML 1.0 at all (not even escaped), so a label carrying one would make the SVG
# unparseable: they are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Set on the root so a chart keeps its look when copied out of the page.
_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"


def escape(text: object) -> str:
    """Text safe inside HTML / SVG element content and double-quoted attributes."""
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def _num(value: float) -> str:
    """A coordinate with one decimal and no trailing noise (``12``, ``3.5``)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True, slots=True)
class LinearScale:
    """Maps a data interval onto a pixel interval (the range may run backwards)."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        """The pixel position of ``value``; a zero-width domain maps to the range's middle."""
        (d0, d1), (r0, r1) = self.domain, self.range
        if d1 == d0:
            return (r0 + r1) / 2
        return r0 + (value - d0) / (d1 - d0) * (r1 - r0)


class Svg:
    """Collects SVG elements and renders one ``<svg>`` element.

    Every method escapes its text; ``tooltip`` becomes a ``<title>`` child, which
    browsers show on hover without any script.
    """

    def __init__(self, width: float, height: float, *, title: str) -> None:
        """Start a drawing of ``width`` x ``height`` pixels described by ``title``."""
        self.width = width
        self.height = height
        self._title = title
        self._parts: list[str] = []

    def _element(self, tag: str, attrs: str, tooltip: str | None, body: str = "") -> None:
        inner = (f"<title>{escape(tooltip)}</title>" if tooltip else "") + body
        if inner:
            self._parts.append(f"<{tag} {attrs}>{inner}</{tag}>")
        else:
            self._parts.append(f"<{tag} {attrs}/>")

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        *,
        fill: str,
        css_class: str = "",
        tooltip: str | None = None,
    ) -> None:
        """A filled rectangle (bars, legend swatches)."""
        attrs = (
            f'x="{_num(x)}" y="{_num(y)}" width="{_num(max(width, 0.0))}" '
            f'height="{_num(max(height, 0.0))}" fill="{escape(fill)}"'
        )
        self._element("rect", attrs + _class(css_class), tooltip)

    def circle(
        self,
        cx: float,
        cy: float,
        r: float,
        *,
        fill: str,
        css_class: str = "",
        tooltip: str | None = None,
    ) -> None:
        """A filled circle (map bubbles, curve points)."""
        attrs = f'cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="{escape(fill)}"'
        self._element("circle", attrs + _class(css_class), tooltip)

    def line(self, x1: float, y1: float, x2: float, y2: float, *, css_class: str = "axis") -> None:
        """A straight line, styled by the report's CSS (axes, grid, thresholds)."""
        attrs = f'x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"'
        self._element("line", attrs + _class(css_class), None)

    def polyline(self, points: Sequence[tuple[float, float]], *, css_class: str) -> None:
        """An open path through ``points`` (the cost/quality curve)."""
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        self._element("polyline", f'points="{coords}" fill="none"' + _class(css_class), None)

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        anchor: str = "start",
        css_class: str = "",
        tooltip: str | None = None,
    ) -> None:
        """A line of text; ``anchor`` is SVG's ``text-anchor`` (start, middle, end)."""
        attrs = f'x="{_num(x)}" y="{_num(y)}" text-anchor="{escape(anchor)}"' + _class(css_class)
        self._element("text", attrs, tooltip, escape(content))

    def render(self) -> str:
        """The drawing as one ``<svg>`` element, scaling to its container's width."""
        head = (
            f'<svg viewBox="0 0 {_num(self.width)} {_num(self.height)}" '
            f'width="{_num(self.width)}" height="{_num(self.height)}" role="img" '
            f'class="chart" font-family="{_FONT}" font-size="12">'
            f"<title>{escape(self._title)}</title>"
        )
        return head + "".join(self._parts) + "</svg>"


def _class(css_class: str) -> str:
    return f' class="{escape(css_class)}"' if css_class else ""
