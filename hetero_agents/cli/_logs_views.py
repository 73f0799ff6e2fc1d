"""Rich renderings for ``hetero-agents logs``: kept apart so the commands read as commands."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hetero_agents.logs._stats import CaptureStats, GroupStats, HealthCount
from hetero_agents.logs.records import CallRecord

_PREVIEW = 60
_WIDE = 130
# Columns that may wrap -> (narrowest, widest) they may get.
_WRAPPING: dict[str, tuple[int, int]] = {"node": (6, 16), "model": (10, 24), "prompt": (12, 48)}
_NUMERIC = frozenset({"ms", "tokens", "cost $"})
_ROLE = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


def calls_table(records: Iterable[CallRecord], width: int = 160) -> Table:
    """One line per call: when, where in the graph, which model, outcome, cost, prompt.

    Below ``_WIDE`` terminal columns the table keeps what identifies a call
    (failed calls show their id in red) rather than squeezing every column
    into ellipses.
    """
    wide = width >= _WIDE
    table = Table(header_style="bold", box=box.SIMPLE_HEAD, padding=(0, 1))
    names = ["id", "time (UTC)", "node", "model"]
    names += ["tier", "status", "ms", "tokens", "cost $"] if wide else ["ms"]
    names.append("prompt")
    for name in names:
        # Ids and numbers stay whole (``logs show`` takes the ids); free text wraps.
        table.add_column(
            name,
            justify="right" if name in _NUMERIC else "left",
            no_wrap=name not in _WRAPPING,
            min_width=_WRAPPING.get(name, (None, None))[0],
            max_width=_WRAPPING.get(name, (None, None))[1],
        )
    for record in records:
        call_id = ("↳ " if record.parent_call_id else "") + record.id
        failed = record.status != "ok"
        cells = [
            f"[red]{call_id}[/]" if failed and not wide else call_id,
            record.datetime_utc.strftime("%m-%d %H:%M:%S" if wide else "%H:%M:%S"),
            _cell(record.node),
            _cell(record.model),
        ]
        if wide:
            tokens = f"{_int(record.input_tokens)}/{_int(record.output_tokens)}"
            cells += [_cell(record.tier), _status(record.status), _ms(record.duration_ms)]
            cells += [tokens, _cost(record.cost_usd)]
        else:
            cells.append(_ms(record.duration_ms))
        cells.append(_preview(record.prompt if record.has_content else None, record))
        table.add_row(*cells)
    return table


def call_detail(record: CallRecord) -> RenderableType:
    """Everything about one call: metadata, the conversation, the answer, its tool runs."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    for label, value in (
        ("id", record.id),
        ("time (UTC)", record.datetime_utc.isoformat()),
        ("thread", record.thread_id),
        ("node / step", f"{record.node or '-'} / {_cell(record.step)}"),
        ("task", record.task),
        ("model", f"{record.model or '-'} ({record.provider or 'unknown provider'})"),
        ("tier", record.tier),
        ("route", _route(record.route)),
        ("status", record.status + (f": {record.error_type}" if record.error_type else "")),
        ("duration", f"{_ms(record.duration_ms)} ms" + _ttft(record.ttft_ms)),
        ("tokens", f"{_int(record.input_tokens)} in / {_int(record.output_tokens)} out"),
        ("cost", f"${_cost(record.cost_usd)}"),
        ("finish reason", record.finish_reason),
        ("parent call", record.parent_call_id),
    ):
        if value not in (None, ""):
            facts.add_row(label, Text(str(value)))
    parts: list[RenderableType] = [facts]
    if not record.has_content:
        reason = "encrypted (pass --key)" if record.encrypted else "not captured"
        parts.append(Text(f"\ncontent {reason}", style="dim"))
    else:
        parts.append(_conversation(record))
    if record.tool_runs:
        runs = Table(title="tool runs", header_style="bold")
        for column in ("name", "status", "ms", "input", "output"):
            runs.add_column(column)
        for run in record.tool_runs:
            runs.add_row(
                _cell(run.name),
                _status(run.status),
                _ms(run.duration_ms),
                Text(_clip(json.dumps(run.input, ensure_ascii=False) if run.input else "")),
                Text(_clip(run.output or run.error or "")),
            )
        parts.append(runs)
    return Panel(Group(*parts), title=f"call {record.id}", expand=False)


def stats_tables(stats: CaptureStats) -> list[RenderableType]:
    """Totals, then one table per dimension, then the logger's own health."""
    total = _group_table("all calls", "", [stats.total])
    total.caption = f"{stats.first_utc or '-'} .. {stats.last_utc or '-'} (UTC)"
    out: list[RenderableType] = [total]
    for title, key, groups in (
        ("by node", "node", stats.by_node),
        ("by model", "model", stats.by_model),
        ("by tier", "tier", stats.by_tier),
    ):
        if groups:
            out.append(_group_table(title, key, groups))
    if stats.by_tool:
        out.append(_group_table("tool runs", "tool", stats.by_tool, tokens=False))
    if stats.shadow:
        shadow = Table(title="shadow agreement by task", header_style="bold", title_justify="left")
        for column in ("task", "compared", "agreed", "failed", "agreement"):
            shadow.add_column(column, justify="left" if column == "task" else "right")
        for row in stats.shadow:
            rate = "-" if row.agreement is None else f"{row.agreement:.0%}"
            shadow.add_row(
                _cell(row.task), str(row.compared), str(row.agreed), str(row.errors), rate
            )
        out.append(shadow)
    out.append(health_table(stats.health))
    return out


def health_table(health: dict[str, HealthCount]) -> RenderableType:
    """The logger's failure counters (green line when there are none)."""
    if not health:
        return Text("logger health: no dropped rows, no write failures", style="green")
    table = Table(title="logger health", header_style="bold red")
    for column in ("counter", "count", "last", "last message"):
        table.add_column(column)
    for name, count in sorted(health.items()):
        table.add_row(name, str(count.count), count.last_utc or "", count.last_message or "")
    return table


def _group_table(title: str, key: str, groups: list[GroupStats], *, tokens: bool = True) -> Table:
    table = Table(title=title, header_style="bold", title_justify="left")
    if key:
        table.add_column(key)
    table.add_column("calls", justify="right")
    table.add_column("errors", justify="right")
    if tokens:
        table.add_column("tokens in", justify="right")
        table.add_column("tokens out", justify="right")
        table.add_column("cost $", justify="right")
    table.add_column("p50 ms", justify="right")
    table.add_column("p95 ms", justify="right")
    for group in groups:
        row = [_cell(group.key)] if key else []
        row += [str(group.calls), str(group.errors)]
        if tokens:
            cost = _cost(group.cost_usd) + (
                f" (+{group.unpriced} unpriced)" if group.unpriced else ""
            )
            row += [str(group.input_tokens), str(group.output_tokens), cost]
        row += [_ms(group.p50_ms), _ms(group.p95_ms)]
        table.add_row(*row)
    return table


def _conversation(record: CallRecord) -> RenderableType:
    lines = Text()
    for message in record.messages or []:
        data = message.get("data", {})
        role = _ROLE.get(message.get("type", ""), message.get("type", "?"))
        lines.append(f"\n{role}: ", style="bold cyan")
        lines.append(_content(data))
    if record.tools:
        names = [(t.get("function") or t).get("name", "?") for t in record.tools]
        lines.append("\ntools bound: ", style="bold")
        lines.append(", ".join(map(str, names)))
    if record.response is not None or record.tool_calls:
        lines.append("\nresponse: ", style="bold green")
        lines.append(record.response or "")
        for call in record.tool_calls or []:
            args = json.dumps(call.get("args"), ensure_ascii=False)
            lines.append(f"\n  -> {call.get('name')}({args})  [{call.get('id')}]", style="green")
    if record.error:
        lines.append(f"\nerror: {record.error}", style="red")
    return lines


def _content(data: dict[str, Any]) -> str:
    content = data.get("content")
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    for call in data.get("tool_calls") or []:
        text += f"\n  -> {call.get('name')}({json.dumps(call.get('args'), ensure_ascii=False)})"
    return text


def _route(route: dict[str, Any] | None) -> str | None:
    if not route:
        return None
    text = f"{route.get('policy', '?')}: {route.get('reason', '')}"
    if route.get("score") is not None:
        text += f" (score {route['score']:.3g})"
    if route.get("escalated"):
        text += f"; escalated: {route.get('escalation_reason')}"
    return text


def _preview(text: str | None, record: CallRecord) -> str:
    if text is None:
        return "[dim]encrypted[/]" if record.encrypted else "[dim]-[/]"
    return escape(_clip(" ".join(text.split())))


def _clip(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def _status(status: str) -> str:
    return "[green]ok[/]" if status == "ok" else f"[red]{escape(status)}[/]"


def _cell(value: object) -> str:
    """A table cell from recorded data: rich markup in it is shown, not interpreted."""
    return "-" if value is None else escape(str(value))


def _int(value: int | None) -> str:
    return "-" if value is None else str(value)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _ttft(value: float | None) -> str:
    return "" if value is None else f" (first token {value:.1f} ms)"


def _cost(value: float | None) -> str:
    return "-" if value is None else f"{value:.6f}"
