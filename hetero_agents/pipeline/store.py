"""Where the conversion pipeline keeps what each stage produced: the log database itself.

The pipeline's tables (migration ``m003_pipeline``) sit next to the calls they
were learned from, so one file holds the whole flywheel: a later ``convert``
reads the previous clustering and artifact from here to run incrementally, and
``report`` needs nothing else. Every stage run is a ``pipeline_runs`` row; a
stage's results are read back from its latest *finished* run, so an interrupted
run never shadows a good one.

Curated examples carry request and response content: when the log store has an
encryption key they are encrypted with it, like the ``calls`` content.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from hetero_agents.errors import PipelineError
from hetero_agents.logs._ids import new_ulid
from hetero_agents.pipeline.records import (
    CandidateScore,
    Cluster,
    Clustering,
    DriftFlag,
    Example,
    Mode,
    Selection,
    Split,
    Tier,
)

if TYPE_CHECKING:
    from hetero_agents.logs.store import LogStore


@dataclass(frozen=True, slots=True)
class RunRow:
    """One stage run: what ran, when, with which parameters, and how it ended."""

    id: str
    stage: str
    started_utc: str
    finished_utc: str | None
    status: str
    params: dict[str, Any]
    summary: dict[str, Any]
    error: str | None


@dataclass(frozen=True, slots=True)
class ArtifactRow:
    """One published router artifact version."""

    version: int
    path: Path
    created_utc: str
    run_id: str | None
    active: bool
    n_clusters: int
    n_slm: int
    manifest_sha256: str | None


class PipelineStore:
    """Read and write pipeline results in a log database.

    Args:
        logs: The open :class:`~hetero_agents.logs.store.LogStore` (its key, if any,
            encrypts the curated examples).
    """

    def __init__(self, logs: LogStore) -> None:
        self.logs = logs
        self._conn = logs.db.conn
        self._cipher = logs._cipher

    # --- runs ---------------------------------------------------------------------------------

    def start_run(self, stage: str, params: Mapping[str, Any] | None = None) -> str:
        """Record that ``stage`` started; returns the run id its results are saved under."""
        run_id = new_ulid(time.time())
        with self._write():
            self._conn.execute(
                "INSERT INTO pipeline_runs (id, stage, started_utc, status, params_json)"
                " VALUES (?, ?, ?, 'running', ?)",
                [run_id, stage, _now(), _dump(dict(params or {}))],
            )
        return run_id

    def finish_run(
        self,
        run_id: str,
        *,
        status: str = "ok",
        summary: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """Mark a run finished (``ok``) or failed; only finished runs are read back."""
        with self._write():
            self._conn.execute(
                "UPDATE pipeline_runs SET finished_utc = ?, status = ?, summary_json = ?,"
                " error = ? WHERE id = ?",
                [_now(), status, _dump(dict(summary or {})), error, run_id],
            )

    @contextmanager
    def run(self, stage: str, params: Mapping[str, Any] | None = None) -> Iterator[StageRun]:
        """Context manager around one stage run: failed if the block raises, else ok."""
        stage_run = StageRun(self.start_run(stage, params))
        try:
            yield stage_run
        except BaseException as exc:
            self.finish_run(stage_run.id, status="failed", error=f"{type(exc).__name__}: {exc}")
            raise
        self.finish_run(stage_run.id, summary=stage_run.summary)

    def runs(self, stage: str | None = None) -> list[RunRow]:
        """All runs (of one stage), oldest first."""
        sql = "SELECT * FROM pipeline_runs"
        args: list[Any] = []
        if stage is not None:
            sql += " WHERE stage = ?"
            args.append(stage)
        rows = self._rows(sql + " ORDER BY started_utc, id", args)
        return [
            RunRow(
                id=r["id"],
                stage=r["stage"],
                started_utc=r["started_utc"],
                finished_utc=r["finished_utc"],
                status=r["status"],
                params=_load(r["params_json"]) or {},
                summary=_load(r["summary_json"]) or {},
                error=r["error"],
            )
            for r in rows
        ]

    def latest_run(self, stage: str) -> str | None:
        """The id of the newest finished ``ok`` run of ``stage``."""
        row = self._conn.execute(
            "SELECT id FROM pipeline_runs WHERE stage = ? AND status = 'ok'"
            " ORDER BY started_utc DESC, id DESC LIMIT 1",
            [stage],
        ).fetchone()
        return None if row is None else str(row[0])

    # --- S2 examples --------------------------------------------------------------------------

    def save_examples(self, run_id: str, examples: Sequence[Example]) -> None:
        """Save a curate run's examples (content encrypted when the store has a key)."""
        rows = []
        for ex in examples:
            content = _dump(asdict(ex))
            encrypted = self._cipher is not None
            if self._cipher is not None:
                content = self._cipher.encrypt(content)
            rows.append(
                [run_id, ex.call_id, ex.split, ex.group, ex.task, ex.node, content, int(encrypted)]
            )
        with self._write():
            self._conn.executemany(
                "INSERT INTO pipeline_examples (run_id, call_id, split, grp, task, node,"
                " example_json, encrypted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def examples(self, run_id: str | None = None, *, split: Split | None = None) -> list[Example]:
        """The examples of a curate run (the latest finished one by default)."""
        run_id = run_id or self.latest_run("curate")
        if run_id is None:
            return []
        sql = "SELECT example_json, encrypted FROM pipeline_examples WHERE run_id = ?"
        args: list[Any] = [run_id]
        if split is not None:
            sql += " AND split = ?"
            args.append(split)
        out = []
        for stored, encrypted in self._conn.execute(sql + " ORDER BY call_id", args):
            content = stored
            if encrypted:
                if self._cipher is None:
                    raise PipelineError(
                        "the curated examples are encrypted: open the LogStore with its "
                        "encryption_key to read them"
                    )
                content = self._cipher.decrypt(content)
            out.append(Example(**json.loads(content)))
        return out

    # --- S3 clustering ------------------------------------------------------------------------

    def save_clustering(self, run_id: str, clustering: Clustering) -> None:
        """Save a clustering: its clusters (with centroids) and every call's assignment."""
        with self._write():
            self._conn.execute(
                "INSERT INTO pipeline_clusterings (run_id, embedder, dim, text_version, method,"
                " criterion_json) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    clustering.embedder,
                    clustering.dim,
                    clustering.text_version,
                    clustering.method,
                    _dump({str(k): v for k, v in clustering.criterion.items()}),
                ],
            )
            self._conn.executemany(
                "INSERT INTO pipeline_clusters (run_id, cluster_id, label, size, threshold, node,"
                " task, top_terms_json, tools_json, centroid)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        run_id,
                        c.id,
                        c.label,
                        c.size,
                        c.threshold,
                        c.node,
                        c.task,
                        _dump(list(c.top_terms)),
                        _dump(list(c.tools)),
                        np.asarray(c.centroid, dtype=np.float32).tobytes(),
                    ]
                    for c in clustering.clusters
                ],
            )
            self._conn.executemany(
                "INSERT INTO pipeline_assignments (run_id, call_id, cluster_id, distance)"
                " VALUES (?, ?, ?, ?)",
                [
                    [run_id, call_id, cluster_id, clustering.distances.get(call_id)]
                    for call_id, cluster_id in clustering.assignments.items()
                ],
            )

    def clustering(self, run_id: str | None = None) -> Clustering | None:
        """A saved clustering (the latest finished ``cluster`` run's by default)."""
        run_id = run_id or self.latest_run("cluster")
        if run_id is None:
            return None
        head = self._rows("SELECT * FROM pipeline_clusterings WHERE run_id = ?", [run_id])
        if not head:
            return None
        members: dict[int, list[str]] = {}
        assignments: dict[str, int] = {}
        distances: dict[str, float] = {}
        for call_id, cluster_id, distance in self._conn.execute(
            "SELECT call_id, cluster_id, distance FROM pipeline_assignments WHERE run_id = ?"
            " ORDER BY call_id",
            [run_id],
        ):
            assignments[call_id] = cluster_id
            members.setdefault(cluster_id, []).append(call_id)
            if distance is not None:
                distances[call_id] = float(distance)
        clusters = [
            Cluster(
                id=r["cluster_id"],
                label=r["label"] or "",
                centroid=np.frombuffer(r["centroid"], dtype=np.float32).copy(),
                threshold=r["threshold"],
                size=r["size"],
                top_terms=tuple(_load(r["top_terms_json"]) or ()),
                node=r["node"],
                task=r["task"],
                tools=tuple(_load(r["tools_json"]) or ()),
                call_ids=tuple(members.get(r["cluster_id"], ())),
            )
            for r in self._rows(
                "SELECT * FROM pipeline_clusters WHERE run_id = ? ORDER BY cluster_id", [run_id]
            )
        ]
        meta = head[0]
        criterion = _load(meta["criterion_json"]) or {}
        return Clustering(
            clusters=clusters,
            assignments=assignments,
            distances=distances,
            embedder=meta["embedder"],
            dim=meta["dim"],
            text_version=meta["text_version"],
            criterion={int(k): float(v) for k, v in criterion.items()},
            method=meta["method"] or "",
        )

    # --- S4 scores and selections -------------------------------------------------------------

    def save_scores(self, run_id: str, scores: Sequence[CandidateScore]) -> None:
        """Save every candidate x mode score of a select run."""
        with self._write():
            self._conn.executemany(
                "INSERT OR REPLACE INTO pipeline_scores (run_id, cluster_id, candidate, mode, n,"
                " accuracy, validity, similarity, latency_ms, footprint_mb, errors, metric, lora,"
                " details_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        run_id,
                        s.cluster_id,
                        s.candidate,
                        s.mode,
                        s.n,
                        s.accuracy,
                        s.validity,
                        s.similarity,
                        s.latency_ms,
                        s.footprint_mb,
                        s.errors,
                        s.metric,
                        s.lora,
                        _dump(dict(s.details)),
                    ]
                    for s in scores
                ],
            )

    def scores(self, run_id: str | None = None) -> list[CandidateScore]:
        """The scores of a select run (the latest finished one by default)."""
        run_id = run_id or self.latest_run("select")
        if run_id is None:
            return []
        return [
            CandidateScore(
                cluster_id=r["cluster_id"],
                candidate=r["candidate"],
                mode=cast(Mode, r["mode"]),
                n=r["n"],
                accuracy=r["accuracy"],
                validity=r["validity"],
                latency_ms=r["latency_ms"],
                footprint_mb=r["footprint_mb"],
                metric=r["metric"],
                similarity=r["similarity"],
                errors=r["errors"],
                lora=r["lora"],
                details=_load(r["details_json"]) or {},
            )
            for r in self._rows(
                "SELECT * FROM pipeline_scores WHERE run_id = ? ORDER BY cluster_id, candidate,"
                " mode",
                [run_id],
            )
        ]

    def save_selections(self, run_id: str, selections: Sequence[Selection]) -> None:
        """Save a select run's per-cluster decisions (with promotions and demotions)."""
        with self._write():
            self._conn.executemany(
                "INSERT OR REPLACE INTO pipeline_selections (run_id, cluster_id, tier, model,"
                " mode, lora, score, required, reason, previous_tier)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        run_id,
                        s.cluster_id,
                        s.tier,
                        s.model,
                        s.mode,
                        s.lora,
                        s.score,
                        s.required,
                        s.reason,
                        s.previous_tier,
                    ]
                    for s in selections
                ],
            )

    def selections(self, run_id: str | None = None) -> list[Selection]:
        """The selections of a select run (the latest finished one by default)."""
        run_id = run_id or self.latest_run("select")
        if run_id is None:
            return []
        return [
            Selection(
                cluster_id=r["cluster_id"],
                tier=cast(Tier, r["tier"]),
                reason=r["reason"],
                required=r["required"],
                model=r["model"],
                mode=cast("Mode | None", r["mode"]),
                lora=r["lora"],
                score=r["score"],
                previous_tier=cast("Tier | None", r["previous_tier"]),
            )
            for r in self._rows(
                "SELECT * FROM pipeline_selections WHERE run_id = ? ORDER BY cluster_id", [run_id]
            )
        ]

    # --- S6 artifacts and drift ---------------------------------------------------------------

    def record_artifact(
        self,
        version: int,
        path: Path,
        run_id: str | None,
        *,
        n_clusters: int,
        n_slm: int,
        manifest_sha256: str | None = None,
        activate: bool = True,
    ) -> None:
        """Record a published artifact version (and make it the active one by default)."""
        with self._write():
            self._conn.execute(
                "INSERT OR REPLACE INTO pipeline_artifacts (version, path, created_utc, run_id,"
                " active, n_clusters, n_slm, manifest_sha256) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                [version, str(path), _now(), run_id, n_clusters, n_slm, manifest_sha256],
            )
            if activate:
                self._set_active(version)

    def activate(self, version: int) -> None:
        """Mark ``version`` as the active artifact (after a rollback, say)."""
        with self._write():
            self._set_active(version)

    def artifacts(self) -> list[ArtifactRow]:
        """Every recorded artifact version, oldest first."""
        return [
            ArtifactRow(
                version=r["version"],
                path=Path(r["path"]),
                created_utc=r["created_utc"],
                run_id=r["run_id"],
                active=bool(r["active"]),
                n_clusters=r["n_clusters"],
                n_slm=r["n_slm"],
                manifest_sha256=r["manifest_sha256"],
            )
            for r in self._rows("SELECT * FROM pipeline_artifacts ORDER BY version", [])
        ]

    def active_artifact(self) -> ArtifactRow | None:
        """The artifact version the router should load, if any was published."""
        return next((a for a in self.artifacts() if a.active), None)

    def save_drift(self, run_id: str, flags: Sequence[DriftFlag]) -> None:
        """Save the drift checks of a run (flagged or not: the baseline for the next)."""
        with self._write():
            self._conn.executemany(
                "INSERT INTO pipeline_drift (run_id, metric, cluster_id, value, baseline,"
                " flagged, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [run_id, f.metric, f.cluster_id, f.value, f.baseline, int(f.flagged), f.note]
                    for f in flags
                ],
            )

    def drift(self, run_id: str | None = None) -> list[DriftFlag]:
        """The drift checks of a run (the latest finished ``drift`` run by default)."""
        run_id = run_id or self.latest_run("drift")
        if run_id is None:
            return []
        return [
            DriftFlag(
                metric=r["metric"],
                value=r["value"],
                baseline=r["baseline"],
                flagged=bool(r["flagged"]),
                note=r["note"] or "",
                cluster_id=r["cluster_id"],
            )
            for r in self._rows(
                "SELECT * FROM pipeline_drift WHERE run_id = ? ORDER BY rowid", [run_id]
            )
        ]

    # --- internals ----------------------------------------------------------------------------

    def _set_active(self, version: int) -> None:
        known = self._conn.execute(
            "SELECT 1 FROM pipeline_artifacts WHERE version = ?", [version]
        ).fetchone()
        if known is None:
            raise PipelineError(f"no router artifact version {version} is recorded")
        self._conn.execute("UPDATE pipeline_artifacts SET active = (version = ?)", [version])

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self.logs.db.atomic():
            yield

    def _rows(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        cursor = self._conn.execute(sql, list(args))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(slots=True)
class StageRun:
    """A running stage: its id, and a summary the stage fills in for ``pipeline_runs``."""

    id: str
    summary: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.summary is None:
            self.summary = {}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray | tuple):
        return list(value.tolist() if isinstance(value, np.ndarray) else value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store a {type(value).__name__} in the pipeline tables")


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


__all__ = ["ArtifactRow", "PipelineStore", "RunRow", "StageRun"]
