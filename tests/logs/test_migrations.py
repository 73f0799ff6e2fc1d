"""The schema: exact columns, forward-only upgrades, and refusing a newer database."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

from hetero_agents.errors import SchemaTooNewError
from hetero_agents.logs import LogStore
from hetero_agents.logs._rows import CALL_COLUMNS, SHADOW_COLUMNS, TOOL_COLUMNS
from hetero_agents.logs.migrations import MIGRATION_SET, m001_calls, migrate, migrations

CALLS = [
    "id", "datetime_utc", "duration_ms", "ttft_ms", "run_id", "parent_run_id",
    "parent_call_id", "n_children", "thread_id", "node", "step", "task", "tier", "model",
    "provider", "route_policy", "route_score", "route_reason", "escalated",
    "escalation_reason", "route_json", "messages_json", "tools_json", "options_json",
    "prompt", "response", "tool_calls_json", "finish_reason", "response_json",
    "input_tokens", "output_tokens", "usage_json", "cost_usd", "status", "error_type",
    "error", "streamed", "tags_json", "metadata_json", "content_captured", "encrypted",
]  # fmt: skip
TOOLS = [
    "id", "datetime_utc", "duration_ms", "call_id", "tool_call_id", "run_id",
    "parent_run_id", "thread_id", "node", "step", "task", "name", "input_json", "output",
    "output_json", "status", "error_type", "error", "tags_json", "metadata_json",
    "content_captured", "encrypted",
]  # fmt: skip
SHADOWS = [
    "id", "datetime_utc", "call_id", "run_id", "task", "node", "served_tier",
    "served_model", "shadow_tier", "shadow_model", "agreed", "similarity", "kind", "error",
    "duration_ms", "encrypted",
]  # fmt: skip


def _columns(db: Database, table: str) -> list[str]:
    return [c.name for c in db[table].columns]  # type: ignore[union-attr]


def test_fresh_database_has_exactly_these_columns() -> None:
    db = Database(memory=True)
    migrate(db)
    assert _columns(db, "calls") == CALLS == list(CALL_COLUMNS)
    assert _columns(db, "tools") == TOOLS == list(TOOL_COLUMNS)
    assert _columns(db, "shadows") == SHADOWS == list(SHADOW_COLUMNS)
    assert _columns(db, "capture_health") == ["name", "count", "last_message", "last_utc"]
    assert _columns(db, "capture_meta") == ["key", "value"]
    assert [m.name for m in migrations.applied(db)] == [
        "m001_calls",
        "m002_shadows",
        "m003_pipeline",
    ]
    # The FTS index is the external-content layout datasette and sqlite-utils detect.
    assert db["calls"].detect_fts() == "calls_fts"  # type: ignore[union-attr]
    foreign = {(fk.column, fk.other_table) for fk in db["tools"].foreign_keys}  # type: ignore[union-attr]
    assert ("call_id", "calls") in foreign


def test_logged_columns_declare_no_default() -> None:
    """The writer leaves NULL values out of its INSERTs: a DEFAULT would replace them."""
    db = Database(memory=True)
    migrate(db)
    for table in ("calls", "tools", "shadows"):
        defaults = {c.name: c.default_value for c in db[table].columns}  # type: ignore[union-attr]
        assert set(defaults.values()) == {None}, (table, defaults)


def test_an_old_database_is_upgraded_by_the_same_path(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m002_shadows")  # as the first release left it
    old["calls"].insert(  # type: ignore[union-attr]
        {"id": "01OLD", "datetime_utc": "2025-01-01T00:00:00.000000+00:00", "status": "ok"}
    )
    old.close()
    with LogStore(path) as store:
        assert "shadows" in store.db.table_names()
        assert [c.id for c in store.calls()] == ["01OLD"]


def test_opening_twice_applies_nothing_twice(db_path: Path) -> None:
    LogStore(db_path).close()
    with LogStore(db_path) as store:
        assert len(migrations.applied(store.db)) == 3


def test_a_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    LogStore(db_path).close()
    db = Database(db_path)
    db["_sqlite_migrations"].insert(  # type: ignore[union-attr]
        {"migration_set": MIGRATION_SET, "name": "m999_future", "applied_at": "2099"}
    )
    db.close()
    with pytest.raises(SchemaTooNewError, match=r"m999_future.*Upgrade hetero-agents"):
        LogStore(db_path)


def test_concurrent_first_opens_migrate_once(db_path: Path) -> None:
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            LogStore(db_path).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with LogStore(db_path) as store:
        assert [m.name for m in migrations.applied(store.db)] == [
            "m001_calls",
            "m002_shadows",
            "m003_pipeline",
        ]


def test_database_file_is_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private" / "logs.db"
    old_umask = os.umask(0o022)
    try:
        with LogStore(path) as store:
            store.db.execute("INSERT INTO capture_meta VALUES ('k', 'v')")
    finally:
        os.umask(old_umask)
    for file in [path, *path.parent.glob("logs.db-*")]:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert m001_calls.__doc__
