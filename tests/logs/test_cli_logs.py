"""``hetero-agents logs``: list, show, stats, export, purge, keygen, path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_graph_capture import INPUT, ScriptedChatModel, _plan, _write, build_graph
from typer.testing import CliRunner

from hetero_agents.cli import app
from hetero_agents.logs import CallLogger, ContentCipher, LogStore

runner = CliRunner()


def logs(*args: str, **kwargs: Any) -> Any:
    return runner.invoke(app, ["logs", *args], **kwargs)


@pytest.fixture
def recorded(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One graph run (three calls, two tool runs), found through the environment."""
    monkeypatch.setenv("HETERO_AGENTS_LOGS_DB", str(db_path))
    monkeypatch.setenv("COLUMNS", "200")
    graph = build_graph(ScriptedChatModel(respond=_plan), ScriptedChatModel(respond=_write))
    with CallLogger(db_path) as logger:
        graph.invoke(INPUT, {"callbacks": [logger], "configurable": {"thread_id": "t1"}})
    return db_path


def test_list_shows_the_latest_calls(recorded: Path) -> None:
    result = logs("list")
    assert result.exit_code == 0, result.output
    with LogStore(recorded) as store:
        ids = [c.id for c in store.calls(newest_first=True)]
    assert [line.split()[0] for line in result.output.splitlines() if line[2:4] == "01"] == ids
    assert "writer" in result.output
    assert "<EMAIL_1>" in result.output
    only = logs("list", "--node", "writer", "--limit", "5")
    assert only.output.count("scripted-model") == 1


def test_show_prints_one_call_with_its_tool_runs(recorded: Path) -> None:
    with LogStore(recorded) as store:
        first = next(store.calls())
    result = logs("show", first.id[:22].lower())
    assert result.exit_code == 0, result.output
    assert "lookup_customer" in result.output
    assert "tool runs" in result.output
    assert "user: Refund order A-17 for <EMAIL_1>" in result.output
    as_json = json.loads(logs("show", first.id, "--json").output)
    assert as_json["id"] == first.id
    assert len(as_json["tool_runs"]) == 2


def test_stats_tables(recorded: Path) -> None:
    result = logs("stats")
    assert result.exit_code == 0, result.output
    for text in ("all calls", "by node", "planner", "writer", "by model", "by tier", "tool runs"):
        assert text in result.output, text
    assert "no dropped rows" in result.output


def test_export_formats(recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "ft.jsonl"
    result = logs("export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 3
    plain = logs("export", "--format", "jsonl", "--node", "writer")
    assert [json.loads(line)["node"] for line in plain.stdout.splitlines()] == ["writer"]
    spans = logs("export", "-f", "otel")
    assert spans.exit_code == 0, spans.output
    names = [json.loads(line)["name"] for line in spans.stdout.splitlines() if line.startswith("{")]
    assert names.count("execute_tool lookup_customer") == 1


def test_purge_asks_first_and_deletes_old_calls(recorded: Path) -> None:
    with LogStore(recorded) as store:
        store.db.execute("UPDATE calls SET datetime_utc = '2020-01-01T00:00:00.000000+00:00'")
    kept = logs("purge", "--older-than", "30d", input="n\n")
    assert kept.exit_code == 1
    assert LogStore(recorded).count() == 3
    gone = logs("purge", "--older-than", "30d", "--yes")
    assert gone.exit_code == 0, gone.output
    assert "deleted 3 calls and 2 tool runs" in gone.output
    assert LogStore(recorded).count() == 0


def test_errors_are_one_line_with_a_way_out(tmp_path: Path, recorded: Path) -> None:
    missing = logs("list", "--db", str(tmp_path / "nope.db"))
    assert missing.exit_code == 1
    assert "no log database" in missing.output
    assert not (tmp_path / "nope.db").exists()  # reading never creates a database
    bad_time = logs("list", "--since", "yesterday-ish")
    assert bad_time.exit_code == 2
    assert "age" in bad_time.output
    unknown = logs("show", "ZZZZZZ")
    assert unknown.exit_code == 1
    assert "no call" in unknown.output


def test_encrypted_logs_read_with_the_key(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    key = logs("keygen").stdout.strip()
    ContentCipher(key)  # a valid Fernet key
    model = ScriptedChatModel(respond=_write)
    with CallLogger(db_path, encryption_key=key) as logger:
        model.invoke("the secret question", {"callbacks": [logger]})
    locked = logs("list", "--db", str(db_path))
    assert "encrypted" in locked.output
    assert "secret question" not in locked.output
    monkeypatch.setenv("HETERO_AGENTS_LOG_KEY", key)
    assert "the secret question" in logs("list", "--db", str(db_path)).output


def test_path_prints_the_database_in_use(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HETERO_AGENTS_LOGS_DB", str(tmp_path / "x.db"))
    assert logs("path").stdout.strip() == str(tmp_path / "x.db")
