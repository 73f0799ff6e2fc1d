"""The rich terminal summary: per-cluster decisions, totals, and the demo table."""

from __future__ import annotations

from report_fakes import CREATED, QWEN, clustering, comparison, report_data
from rich.console import Console

from hetero_agents.pipeline.report import build_report_data, comparison_table, print_summary


def captured(data) -> str:
    console = Console(record=True, width=200, color_system=None)
    print_summary(data, console=console)
    return console.export_text()


def line_of(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)


def test_each_cluster_shows_its_decision_score_and_change():
    text = captured(report_data())
    weather = line_of(text, "weather lookup")
    assert "SLM" in weather
    assert f"{QWEN} / few-shot" in weather
    assert "100.0% / 95.0%" in weather
    assert "promoted" in weather
    summaries = line_of(text, "summarise a document")
    assert "LLM" in summaries
    assert "50.0% / 95.0%" in summaries
    assert "demoted" in summaries
    assert "promoted" not in line_of(text, "arithmetic")


def test_totals_match_the_records():
    text = captured(report_data())
    total = line_of(text, "total")
    assert "11" in total
    assert f"{8 / 11 * 100:.1f}% SLM" in total
    assert "2 of 3 clusters" in total
    assert f"{(4 * 120 + 4 * 60) / 1530 * 100:.1f}% of tokens" in text
    assert "local SLMs priced at $0" in text
    assert "1 drift flag(s) raised" in text


def test_labels_are_printed_as_written_not_as_markup():
    text = captured(report_data(clustering=clustering(["[bold]x[/bold]", "b", "[red]c"])))
    assert "[bold]x[/bold]" in text
    assert "[red]c" in text


def test_the_comparison_table_is_printed_when_there_is_one():
    text = captured(report_data(comparison=comparison()))
    assert "LLM only vs routed" in text
    success = line_of(text, "task success")
    assert "90.0%" in success
    assert "87.5%" in success
    assert f"{0.875 / 0.9 * 100:.1f}% retained" in success
    assert "-60.0%" in line_of(text, "estimated cost")
    assert "LLM only vs routed" not in captured(report_data())


def test_comparison_table_can_be_printed_on_its_own():
    console = Console(record=True, width=120, color_system=None)
    console.print(comparison_table(comparison()))
    text = console.export_text()
    assert "53,000" in line_of(text, "tokens")
    assert "55,100" in line_of(text, "tokens")


def test_an_empty_report_says_what_to_run():
    text = captured(build_report_data(None, created_utc=CREATED))
    assert "No clusters yet" in text
    assert "hetero-agents cluster" in text
