"""The writer's batches: rows of any shape in logged order, overlapped commits, late failures."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hetero_agents.logs import LogStore
from hetero_agents.logs._batch import WAL_CHECKPOINT_PAGES, BatchCommitter, connect_for_writing
from hetero_agents.logs._health import CaptureHealth
from hetero_agents.logs._rows import CALLS
from hetero_agents.logs._writer import BackgroundWriter


def _row(index: int) -> dict[str, Any]:
    return {
        "id": f"01ROW{index:05d}",
        "datetime_utc": 1_760_000_000.0 + index,
        "status": "ok",
        "prompt": f"ticket number {index} about a refund",
        "response": "done" if index % 2 else None,
    }


class _FailsOnce(sqlite3.Connection):
    """Fails the first statement that starts with ``fail_on``, as a full disk would."""

    fail_on = ""

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if type(self).fail_on and sql.startswith(type(self).fail_on):
            type(self).fail_on = ""
            raise sqlite3.OperationalError("simulated disk I/O error")
        return super().execute(sql, *args)


def _committer(path: Path, health: CaptureHealth, fail_on: str) -> BatchCommitter:
    LogStore(path).close()  # create and migrate
    _FailsOnce.fail_on = fail_on

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, factory=_FailsOnce
        )
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    return BatchCommitter(connect, health=health, cipher=None, retry_for=1.0)


def _stored(path: Path) -> tuple[list[str], int]:
    with LogStore(path) as store:
        ids = [row[0] for row in store.db.execute("SELECT id FROM calls ORDER BY rowid")]
        found = store.count(search="refund")
    return ids, found


def test_a_batch_of_mixed_shapes_keeps_log_order_and_nulls(tmp_path: Path) -> None:
    """Rows of different shapes interleave; rowids follow the order they were logged in."""
    path = tmp_path / "logs.db"
    health = CaptureHealth()
    committer = _committer(path, health, fail_on="")
    rows = []
    for index in range(12):
        row: dict[str, Any] = {"id": f"01A{index:02d}", "datetime_utc": 1.0 + index, "status": "ok"}
        if index % 3 == 0:
            row["error"] = "boom"
        if index % 4 == 0:
            row["node"] = None  # an explicit None is a NULL like a missing key
            row["prompt"] = f"prompt {index}"
        rows.append((CALLS, row))
    committer.write(rows)
    committer.close()
    with LogStore(path) as store:
        stored = store.db.execute("SELECT id, error, node, prompt FROM calls ORDER BY rowid")
        stored_rows = stored.fetchall()
    assert not health.counts()
    assert stored_rows == [
        (
            f"01A{i:02d}",
            "boom" if i % 3 == 0 else None,
            None,
            f"prompt {i}" if i % 4 == 0 else None,
        )
        for i in range(12)
    ]


def test_a_backlog_of_many_batches_keeps_order_and_search(tmp_path: Path) -> None:
    path = tmp_path / "logs.db"
    health = CaptureHealth()
    writer = BackgroundWriter(
        lambda: connect_for_writing(path, 5.0), health=health, batch_size=8, queue_size=1_000
    )
    LogStore(path).close()
    for index in range(203):  # queued faster than written: 26 batches back to back
        writer.submit(CALLS, _row(index))
    assert writer.flush(timeout=30)
    ids, found = _stored(path)  # visible to another connection as soon as flush returns
    assert ids == [_row(i)["id"] for i in range(203)]
    assert found == 203
    writer.close()
    assert not health.counts()


@pytest.mark.parametrize("overlap", [True, False], ids=["helper-thread", "writer-thread"])
@pytest.mark.parametrize("fail_on", ["INSERT INTO calls_fts", "COMMIT"])
def test_a_commit_that_fails_late_loses_no_row(tmp_path: Path, fail_on: str, overlap: bool) -> None:
    path = tmp_path / "logs.db"
    health = CaptureHealth()
    committer = _committer(path, health, fail_on)
    batches = [[(CALLS, _row(i)) for i in range(start, start + 10)] for start in (0, 10, 20)]
    for batch in batches:
        committer.write(batch, overlap=overlap)
    committer.close()  # settles the last overlapped transaction
    assert _FailsOnce.fail_on == "", "the simulated failure did not happen"
    ids, found = _stored(path)
    assert ids == [_row(i)["id"] for i in range(30)]  # the failed batch, retried row by row
    assert found == 30  # and indexed for search
    assert "write_failed" not in health.counts()


def test_the_writer_checkpoints_the_wal_in_large_steps(tmp_path: Path) -> None:
    conn = connect_for_writing(tmp_path / "logs.db", 1.0)
    (pages,) = conn.execute("PRAGMA wal_autocheckpoint").fetchone()
    (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    conn.close()
    assert (mode, pages) == ("wal", WAL_CHECKPOINT_PAGES)
    assert WAL_CHECKPOINT_PAGES * 4096 <= 64 * 2**20  # the WAL file stays modest
