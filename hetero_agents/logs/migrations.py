"""Forward-only schema migrations of the log database.

Each migration is a small named function registered on one
``sqlite_utils.migrations.Migrations`` set, which records what ran in
``_sqlite_migrations`` and wraps each function in a transaction. A migration
never changes once released: a new column is a new ``m00N_...`` function.
:func:`migrate` is what :class:`~hetero_agents.logs.store.LogStore` runs on
open, so a fresh database and an old one take the same path.

The tables are plain (no JSON1-only features, ordinary foreign keys), so
``datasette logs.db`` browses them, links tool runs to their call and offers
full-text search over prompts and responses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from hetero_agents.errors import LogStoreError, SchemaTooNewError

MIGRATION_SET = "hetero_agents.logs"
migrations = Migrations(MIGRATION_SET)
_KNOWN: list[str] = []  # every migration this version ships, in order


def _migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    _KNOWN.append(fn.__name__)
    return migrations()(fn)


@_migration
def m001_calls(db: Database) -> None:
    """Calls, tool runs, full-text search, logger health counters and store metadata."""
    statements = [
        """
        CREATE TABLE calls (
            id TEXT PRIMARY KEY,
            datetime_utc TEXT NOT NULL,
            duration_ms REAL,
            ttft_ms REAL,
            run_id TEXT,
            parent_run_id TEXT,
            parent_call_id TEXT REFERENCES calls(id),
            n_children INTEGER,
            thread_id TEXT,
            node TEXT,
            step INTEGER,
            task TEXT,
            tier TEXT,
            model TEXT,
            provider TEXT,
            route_policy TEXT,
            route_score REAL,
            route_reason TEXT,
            escalated INTEGER,
            escalation_reason TEXT,
            route_json TEXT,
            messages_json TEXT,
            tools_json TEXT,
            options_json TEXT,
            prompt TEXT,
            response TEXT,
            tool_calls_json TEXT,
            finish_reason TEXT,
            response_json TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            usage_json TEXT,
            cost_usd REAL,
            status TEXT NOT NULL,
            error_type TEXT,
            error TEXT,
            streamed INTEGER,
            tags_json TEXT,
            metadata_json TEXT,
            content_captured INTEGER,
            encrypted INTEGER
        )
        """,
        """
        CREATE TABLE tools (
            id TEXT PRIMARY KEY,
            datetime_utc TEXT NOT NULL,
            duration_ms REAL,
            call_id TEXT REFERENCES calls(id),
            tool_call_id TEXT,
            run_id TEXT,
            parent_run_id TEXT,
            thread_id TEXT,
            node TEXT,
            step INTEGER,
            task TEXT,
            name TEXT,
            input_json TEXT,
            output TEXT,
            output_json TEXT,
            status TEXT NOT NULL,
            error_type TEXT,
            error TEXT,
            tags_json TEXT,
            metadata_json TEXT,
            content_captured INTEGER,
            encrypted INTEGER
        )
        """,
        "CREATE INDEX idx_calls_datetime_utc ON calls (datetime_utc)",
        "CREATE INDEX idx_calls_thread_id ON calls (thread_id)",
        # Most calls are not nested: a partial index stays tiny and costs no insert time.
        "CREATE INDEX idx_calls_parent_call_id ON calls (parent_call_id) "
        "WHERE parent_call_id IS NOT NULL",
        "CREATE INDEX idx_tools_call_id ON tools (call_id)",
        "CREATE INDEX idx_tools_datetime_utc ON tools (datetime_utc)",
        # External-content FTS5 index, the layout sqlite-utils and datasette recognise.
        # The logger's writer indexes each batch of new calls in one statement (a
        # per-row insert trigger costs ten times more); these triggers keep the
        # index right when rows are deleted or edited. Encrypted rows hold
        # ciphertext and are kept out of it.
        "CREATE VIRTUAL TABLE calls_fts USING FTS5 (prompt, response, content=[calls])",
        """
        CREATE TRIGGER calls_ad AFTER DELETE ON calls WHEN coalesce(old.encrypted, 0) = 0 BEGIN
            INSERT INTO calls_fts (calls_fts, rowid, prompt, response)
            VALUES ('delete', old.rowid, old.prompt, old.response);
        END
        """,
        """
        CREATE TRIGGER calls_au AFTER UPDATE ON calls BEGIN
            INSERT INTO calls_fts (calls_fts, rowid, prompt, response)
            SELECT 'delete', old.rowid, old.prompt, old.response
            WHERE coalesce(old.encrypted, 0) = 0;
            INSERT INTO calls_fts (rowid, prompt, response)
            SELECT new.rowid, new.prompt, new.response
            WHERE coalesce(new.encrypted, 0) = 0;
        END
        """,
        """
        CREATE TABLE capture_health (
            name TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            last_message TEXT,
            last_utc TEXT
        )
        """,
        "CREATE TABLE capture_meta (key TEXT PRIMARY KEY, value TEXT)",
    ]
    for statement in statements:
        db.execute(statement)


@_migration
def m002_shadows(db: Database) -> None:
    """Shadow-mode results: the other tier's answer to a served call, and whether it agreed.

    ``ShadowPolicy`` runs the tier that was not served on a sample of calls and
    reports through a ``hetero_shadow`` callback event; these rows are the
    evidence for promoting a task to the SLM.
    """
    db.execute(
        """
        CREATE TABLE shadows (
            id TEXT PRIMARY KEY,
            datetime_utc TEXT NOT NULL,
            call_id TEXT REFERENCES calls(id),
            run_id TEXT,
            task TEXT,
            node TEXT,
            served_tier TEXT,
            served_model TEXT,
            shadow_tier TEXT,
            shadow_model TEXT,
            agreed INTEGER,
            similarity REAL,
            kind TEXT,
            error TEXT,
            duration_ms REAL,
            encrypted INTEGER
        )
        """
    )
    db.execute("CREATE INDEX idx_shadows_task ON shadows (task)")


@_migration
def m003_pipeline(db: Database) -> None:
    """The conversion pipeline's results (S2-S6), so that a later run builds on earlier ones.

    Every stage run is a ``pipeline_runs`` row; what it produced hangs off its run
    id. Curated examples hold request and response content, so their
    ``example_json`` is encrypted like the ``calls`` content when the store has a
    key. Centroids are float32 bytes (``numpy.tobytes``) of ``dim`` values.
    """
    statements = [
        """
        CREATE TABLE pipeline_runs (
            id TEXT PRIMARY KEY,
            stage TEXT NOT NULL,
            started_utc TEXT NOT NULL,
            finished_utc TEXT,
            status TEXT NOT NULL,
            params_json TEXT,
            summary_json TEXT,
            error TEXT
        )
        """,
        "CREATE INDEX idx_pipeline_runs_stage ON pipeline_runs (stage, started_utc)",
        """
        CREATE TABLE pipeline_examples (
            run_id TEXT NOT NULL REFERENCES pipeline_runs(id),
            call_id TEXT NOT NULL,
            split TEXT NOT NULL,
            grp TEXT NOT NULL,
            task TEXT,
            node TEXT,
            text TEXT,
            example_json TEXT,
            encrypted INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, call_id)
        )
        """,
        """
        CREATE TABLE pipeline_clusterings (
            run_id TEXT PRIMARY KEY REFERENCES pipeline_runs(id),
            embedder TEXT NOT NULL,
            dim INTEGER NOT NULL,
            text_version TEXT NOT NULL,
            method TEXT,
            criterion_json TEXT
        )
        """,
        """
        CREATE TABLE pipeline_clusters (
            run_id TEXT NOT NULL REFERENCES pipeline_runs(id),
            cluster_id INTEGER NOT NULL,
            label TEXT,
            size INTEGER NOT NULL,
            threshold REAL NOT NULL,
            node TEXT,
            task TEXT,
            top_terms_json TEXT,
            tools_json TEXT,
            centroid BLOB NOT NULL,
            PRIMARY KEY (run_id, cluster_id)
        )
        """,
        """
        CREATE TABLE pipeline_assignments (
            run_id TEXT NOT NULL REFERENCES pipeline_runs(id),
            call_id TEXT NOT NULL,
            cluster_id INTEGER NOT NULL,
            distance REAL,
            PRIMARY KEY (run_id, call_id)
        )
        """,
        """
        CREATE TABLE pipeline_scores (
            run_id TEXT NOT NULL REFERENCES pipeline_runs(id),
            cluster_id INTEGER NOT NULL,
            candidate TEXT NOT NULL,
            mode TEXT NOT NULL,
            n INTEGER NOT NULL,
            accuracy REAL NOT NULL,
            validity REAL NOT NULL,
            similarity REAL,
            latency_ms REAL NOT NULL,
            footprint_mb REAL NOT NULL,
            errors INTEGER NOT NULL,
            metric TEXT NOT NULL,
            lora TEXT,
            details_json TEXT,
            PRIMARY KEY (run_id, cluster_id, candidate, mode)
        )
        """,
        """
        CREATE TABLE pipeline_selections (
            run_id TEXT NOT NULL REFERENCES pipeline_runs(id),
            cluster_id INTEGER NOT NULL,
            tier TEXT NOT NULL,
            model TEXT,
            mode TEXT,
            lora TEXT,
            score REAL,
            required REAL NOT NULL,
            reason TEXT NOT NULL,
            previous_tier TEXT,
            PRIMARY KEY (run_id, cluster_id)
        )
        """,
        """
        CREATE TABLE pipeline_artifacts (
            version INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            created_utc TEXT NOT NULL,
            run_id TEXT REFERENCES pipeline_runs(id),
            active INTEGER NOT NULL DEFAULT 0,
            n_clusters INTEGER NOT NULL,
            n_slm INTEGER NOT NULL,
            manifest_sha256 TEXT
        )
        """,
        """
        CREATE TABLE pipeline_drift (
            run_id TEXT NOT NULL REFERENCES pipeline_runs(id),
            metric TEXT NOT NULL,
            cluster_id INTEGER,
            value REAL NOT NULL,
            baseline REAL,
            flagged INTEGER NOT NULL,
            note TEXT
        )
        """,
    ]
    for statement in statements:
        db.execute(statement)


def migrate(db: Database) -> None:
    """Bring ``db`` to the current schema; a no-op (and no write lock) when it already is.

    Migrations run inside one ``BEGIN IMMEDIATE`` transaction, so two processes
    opening a fresh database at once cannot both create the tables.

    Raises:
        SchemaTooNewError: The database was migrated by a newer hetero-agents.
        LogStoreError: The database cannot be migrated (read-only, locked too long).
    """
    _refuse_newer(db)
    if not migrations.pending(db):
        return
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _refuse_newer(db)  # another process may have migrated while we waited
            migrations.apply(db)
        except BaseException:
            db.rollback()
            raise
        db.commit()
    except sqlite3.Error as exc:
        raise LogStoreError(
            f"cannot create or upgrade the log database schema: {exc}. Check that the file "
            "is writable and not held by a long transaction in another process."
        ) from exc


def _refuse_newer(db: Database) -> None:
    unknown = [m.name for m in migrations.applied(db) if m.name not in _KNOWN]
    if unknown:
        raise SchemaTooNewError(
            f"this log database was written by a newer hetero-agents (it has migration "
            f"{unknown[-1]!r}, which this version does not know). Upgrade hetero-agents "
            "(pip install -U hetero-agents) to read or write it."
        )


__all__ = ["MIGRATION_SET", "m001_calls", "m002_shadows", "m003_pipeline", "migrate", "migrations"]
