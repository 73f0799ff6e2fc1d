"""``LogStore``: the log database, its schema, and the query API the pipeline reads through.

Opening a store runs the migrations, so a new file and one written by an older
version take the same path; a file from a newer version is refused with
:class:`~hetero_agents.errors.SchemaTooNewError` rather than misread. All SQL
takes its values as parameters. Reads use the store's own connection (one
thread); writes from a running agent go through a background writer that
:class:`~hetero_agents.logs.logger.CallLogger` opens with :meth:`open_writer`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, Unpack

from sqlite_utils import Database

from hetero_agents.errors import LogStoreError
from hetero_agents.logs import _reads, _stats
from hetero_agents.logs._batch import connect_for_writing
from hetero_agents.logs._crypto import ContentCipher, Key
from hetero_agents.logs._health import CaptureHealth
from hetero_agents.logs._paths import default_db_path, prepare_private_file
from hetero_agents.logs._query import CallFilters, cutoff
from hetero_agents.logs._writer import DEFAULT_BATCH_SIZE, BackgroundWriter
from hetero_agents.logs.migrations import migrate
from hetero_agents.logs.records import (
    CallRecord,
    ShadowRecord,
    ToolRecord,
)

if TYPE_CHECKING:
    from hetero_agents.logs._stats import CaptureStats, HealthCount

_KEY_CHECK = "encryption_check"
_IN_MEMORY = ":memory:"
_PURGE_TOOLS = (
    "DELETE FROM tools WHERE datetime_utc < ? "
    "OR call_id IN (SELECT id FROM calls WHERE datetime_utc < ?)"
)
_PURGE_CALLS = (
    "DELETE FROM calls WHERE datetime_utc < ? "
    "OR parent_call_id IN (SELECT id FROM calls WHERE datetime_utc < ?)"
)
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """How many rows :meth:`LogStore.purge` deleted."""

    calls: int
    tools: int


class LogStore:
    """Read/write access to one log database (SQLite, WAL mode).

    Example:
        ```python
        store = LogStore("logs.db")
        for call in store.calls(node="extract", tier="llm", since="2025-06-01"):
            print(call.id, call.model, call.response)
        ```
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | Database | None = None,
        *,
        encryption_key: Key | Sequence[Key] | None = None,
        busy_timeout: float = 5.0,
    ) -> None:
        """Open the database, creating it owner-only (0600) if needed, and migrate it.

        Args:
            db: A file path, an open ``sqlite_utils.Database``, ``":memory:"`` for a
                store in memory (to query and export; a ``CallLogger`` needs a file),
                or ``None`` for the default (``$HETERO_AGENTS_LOGS_DB`` or the user
                data directory).
            encryption_key: A Fernet key (or keys, newest first) for the content
                columns: new rows are encrypted with it and old ones decrypted.
                Needs the ``crypto`` extra. Never stored in the database.
            busy_timeout: Seconds to wait for another process's write lock.

        Raises:
            SchemaTooNewError: A newer hetero-agents wrote this database.
            LogStoreError: The file cannot be created or migrated, or the key does
                not match the one its rows were encrypted with.
        """
        self.busy_timeout = busy_timeout
        if isinstance(db, Database):
            self.db = db
            self.path = _file_of(db)
        elif db is not None and str(db) == _IN_MEMORY:
            # SQLite's own name for a database in memory: no file to create (a path
            # named ":memory:" would be created, then ignored by SQLite).
            self.db = Database(memory=True)
            self.path = None
        else:
            path = prepare_private_file(Path(db) if db is not None else default_db_path())
            try:
                self.db = Database(path)
            except sqlite3.Error as exc:
                raise LogStoreError(f"cannot open the log database {path}: {exc}") from exc
            self.path = path
        self.db.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if self.path is not None:
            try:
                self.db.enable_wal()
            except sqlite3.Error as exc:
                raise LogStoreError(f"cannot open the log database {self.path}: {exc}") from exc
        migrate(self.db)
        self._cipher = ContentCipher(encryption_key) if encryption_key is not None else None
        if self._cipher is not None:
            self._check_key(self._cipher)

    # --- queries ----------------------------------------------------------------------------

    def calls(
        self,
        *,
        limit: int | None = None,
        newest_first: bool = False,
        with_tool_runs: bool = False,
        **filters: Unpack[CallFilters],
    ) -> Iterator[CallRecord]:
        """Iterate the calls matching ``filters``, in time order.

        Args:
            limit: The most calls to yield.
            newest_first: Yield the latest calls first.
            with_tool_runs: Fill each record's ``tool_runs``.
            **filters: See :class:`CallFilters` (``since``, ``until``, ``node``,
                ``model``, ``tier``, ``status``, ``task``, ``thread_id``,
                ``search``, ``top_level``).
        """
        return _reads.iter_calls(
            self.db.conn,
            self._decrypt,
            filters,
            limit=limit,
            newest_first=newest_first,
            with_tool_runs=with_tool_runs,
        )

    def count(self, **filters: Unpack[CallFilters]) -> int:
        """How many calls match ``filters``."""
        return _reads.count_calls(self.db.conn, filters)

    def get_call(self, call_id: str) -> CallRecord:
        """One call with its tool runs, by id or by a unique prefix of it.

        Raises:
            LogStoreError: No call, or more than one, has that id (prefix).
        """
        return _reads.find_call(self.db.conn, self._decrypt, call_id)

    def tool_runs(
        self, call_id: str | None = None, *, limit: int | None = None
    ) -> list[ToolRecord]:
        """Tool runs in time order: those answering ``call_id``, or all of them."""
        return _reads.tool_runs(self.db.conn, self._decrypt, call_id, limit)

    def shadow_results(
        self,
        *,
        task: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> list[ShadowRecord]:
        """Shadow-mode comparisons in time order, optionally for one task or time range."""
        return _reads.shadow_results(self.db.conn, self._decrypt, task, since, until)

    def stats(self, **filters: Unpack[CallFilters]) -> CaptureStats:
        """Calls, tokens, cost and p50/p95 latency in total and by node, model, tier and tool."""
        return _stats.compute(self.db.conn, filters)

    def health(self) -> dict[str, HealthCount]:
        """Logger failures persisted by every process that wrote here (drops, write errors)."""
        return _stats.health(self.db.conn)

    # --- maintenance ------------------------------------------------------------------------

    def purge(self, older_than: datetime | timedelta | str, *, vacuum: bool = False) -> PurgeResult:
        """Delete calls and tool runs that started before a time (or are older than an age).

        Deleted content is overwritten on disk (``secure_delete``) and the WAL is
        checkpointed, so purged prompts do not linger in free pages.

        Args:
            older_than: A datetime / ISO string, or an age such as ``timedelta(days=30)``.
            vacuum: Also rebuild the file to return the freed space to the OS.
        """
        before = cutoff(older_than)
        conn = self.db.conn
        conn.execute("PRAGMA secure_delete = ON")
        try:
            with self.db.atomic():
                tools = conn.execute(_PURGE_TOOLS, [before, before]).rowcount
                calls = conn.execute(_PURGE_CALLS, [before, before]).rowcount
                conn.execute("DELETE FROM shadows WHERE datetime_utc < ?", [before])
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if vacuum:
                self.db.vacuum()
        except sqlite3.Error as exc:
            raise LogStoreError(f"cannot purge {self.path}: {exc}") from exc
        return PurgeResult(calls=calls, tools=tools)

    # --- exports ----------------------------------------------------------------------------

    def export_openai(
        self, dest: str | os.PathLike[str] | IO[str], **filters: Unpack[CallFilters]
    ) -> int:
        """Write successful calls as OpenAI chat fine-tuning JSONL; returns the line count.

        Only logical calls (``top_level=True``) unless you filter otherwise, so a
        router's call is not written twice. See :mod:`hetero_agents.logs.export`.
        """
        from hetero_agents.logs.export import write_openai_jsonl

        filters.setdefault("top_level", True)
        filters.setdefault("status", "ok")
        return _write_lines(dest, write_openai_jsonl, self.calls(**filters))

    def export_jsonl(
        self, dest: str | os.PathLike[str] | IO[str], **filters: Unpack[CallFilters]
    ) -> int:
        """Write every matching call, with its tool runs, as one JSON object per line."""
        from hetero_agents.logs.export import write_jsonl

        return _write_lines(dest, write_jsonl, self.calls(with_tool_runs=True, **filters))

    def export_otel(
        self,
        exporter: Any = None,
        *,
        include_content: bool = False,
        **filters: Unpack[CallFilters],
    ) -> int:
        """Send matching calls and tool runs as OpenTelemetry GenAI spans (extra ``otel``).

        Args:
            exporter: An OpenTelemetry ``SpanExporter`` (OTLP, console, in-memory).
            include_content: Also attach messages and tool arguments (opt-in, as the
                GenAI conventions ask).
            **filters: See :class:`CallFilters`.

        Returns:
            The number of spans exported.
        """
        from hetero_agents.logs.export import export_otel_spans

        records = self.calls(with_tool_runs=True, **filters)
        return export_otel_spans(records, exporter, include_content=include_content)

    # --- writing ----------------------------------------------------------------------------

    def open_writer(
        self,
        health: CaptureHealth,
        *,
        queue_size: int = 10_000,
        overflow: Literal["block", "drop"] = "block",
        block_timeout: float = 1.0,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> BackgroundWriter:
        """A background writer into this database (what :class:`CallLogger` writes through).

        Raises:
            LogStoreError: The store is not backed by a file (a writer thread needs
                its own connection).
        """
        if self.path is None:
            raise LogStoreError(
                "a CallLogger needs a file-backed log database (an in-memory one cannot be "
                "shared with the writer thread); pass a path"
            )
        return BackgroundWriter(
            self._writer_connection,
            health=health,
            cipher=self._cipher,
            queue_size=queue_size,
            overflow=overflow,
            block_timeout=block_timeout,
            batch_size=batch_size,
        )

    def close(self) -> None:
        """Close the read connection."""
        self.db.close()

    def __enter__(self) -> LogStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LogStore({str(self.path)!r})"

    # --- internals --------------------------------------------------------------------------

    @property
    def _decrypt(self) -> Any:
        return self._cipher.decrypt if self._cipher is not None else None

    def _writer_connection(self) -> sqlite3.Connection:
        return connect_for_writing(self.path or Path(), self.busy_timeout)

    def _check_key(self, cipher: ContentCipher) -> None:
        row = self.db.conn.execute(
            "SELECT value FROM capture_meta WHERE key = ?", [_KEY_CHECK]
        ).fetchone()
        if row is None:
            with self.db.atomic():
                self.db.conn.execute(
                    "INSERT OR IGNORE INTO capture_meta (key, value) VALUES (?, ?)",
                    [_KEY_CHECK, cipher.check_token()],
                )
        elif not cipher.matches(row[0]):
            raise LogStoreError(
                f"the encryption key does not match the one {self.path} was encrypted with; "
                "pass that key (old keys can follow a new one in a list, to rotate)"
            )


def _file_of(db: Database) -> Path | None:
    for _seq, name, file in db.conn.execute("PRAGMA database_list"):
        if name == "main":
            return Path(file) if file else None
    return None


def _write_lines(dest: str | os.PathLike[str] | IO[str], write: Any, records: Any) -> int:
    if isinstance(dest, str | os.PathLike):
        path = prepare_private_file(Path(dest))  # exports hold content too: owner-only
        with path.open("w", encoding="utf-8") as fp:
            count: int = write(records, fp)
        return count
    result: int = write(records, dest)
    return result
