"""What the report is drawn from: the pipeline's records, gathered once, frozen.

The renderer never touches the database: the CLI (or a notebook, or the demo)
reads the records from the :class:`~hetero_agents.pipeline.store.PipelineStore`
and hands them over in a :class:`ReportData`, so a report can be rebuilt from
any mix of records - including synthetic ones in tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline.records import (
    CandidateScore,
    Clustering,
    DriftFlag,
    Example,
    Selection,
)

DEFAULT_TITLE = "hetero-agents conversion report"


def _now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True, slots=True)
class RunFigures:
    """What one run of an agent workload measured (the demo's LLM-only or routed run).

    Attributes:
        name: How the run is shown, e.g. ``"LLM only"`` or ``"routed"``.
        tasks: Tasks attempted.
        task_success: Share of tasks answered correctly, 0..1.
        calls: Chat-model calls made.
        slm_calls: Of those, calls an SLM served.
        input_tokens / output_tokens: Tokens over all calls, both tiers.
        cost_usd: Estimated cost of the run (local models priced at 0 unless told).
        mean_task_latency_s: Mean wall time per task.
    """

    name: str
    tasks: int
    task_success: float
    calls: int
    slm_calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    mean_task_latency_s: float

    @property
    def tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    @property
    def slm_share(self) -> float:
        """Share of calls served by an SLM (0 when no call was made)."""
        return self.slm_calls / self.calls if self.calls else 0.0


@dataclass(frozen=True, slots=True)
class Comparison:
    """The demo's side-by-side: the same held-out tasks, LLM only vs routed.

    Attributes:
        baseline: The LLM-only run.
        routed: The run through ``ChatRouter`` with the new artifact.
        note: Anything the reader must know to trust the figures (sizes, seeds).
    """

    baseline: RunFigures
    routed: RunFigures
    note: str = ""

    @property
    def success_retained(self) -> float | None:
        """Routed task success as a share of the LLM-only one (``None`` if that was 0)."""
        if self.baseline.task_success <= 0:
            return None
        return self.routed.task_success / self.baseline.task_success


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything one report shows, as records (see :func:`build_report_data`).

    Attributes:
        clustering: S3's clusters, or ``None`` before any clustering ran.
        scores: S4's scores, every cluster x candidate x mode.
        selections: S4's per-cluster decisions.
        examples: S2's curated calls (their recorded LLM tokens, cost and latency
            are the baseline the savings are measured against).
        comparison: The demo's LLM-only vs routed figures, when there are any.
        drift: S6's drift flags.
        title: The report's heading.
        created_utc: ISO-8601 UTC time the data was gathered.
        slm_usd_per_mtok: Price put on a million SLM tokens when estimating the
            routed cost. Local models cost nothing per call, hence 0 by default;
            set it to account for hardware or a hosted SLM endpoint.
    """

    clustering: Clustering | None
    scores: tuple[CandidateScore, ...] = ()
    selections: tuple[Selection, ...] = ()
    examples: tuple[Example, ...] = ()
    comparison: Comparison | None = None
    drift: tuple[DriftFlag, ...] = ()
    title: str = DEFAULT_TITLE
    created_utc: str = field(default_factory=_now_utc)
    slm_usd_per_mtok: float = 0.0


def build_report_data(
    clustering: Clustering | None,
    *,
    scores: Iterable[CandidateScore] = (),
    selections: Iterable[Selection] = (),
    examples: Iterable[Example] = (),
    comparison: Comparison | None = None,
    drift: Iterable[DriftFlag] = (),
    title: str = DEFAULT_TITLE,
    created_utc: str | None = None,
    slm_usd_per_mtok: float = 0.0,
) -> ReportData:
    """Gather the records one report is drawn from, and check they belong together.

    Records that name a cluster the clustering does not have (a stale select run
    read next to a newer clustering) would silently skew every share in the
    report, so they are refused here rather than drawn.

    Raises:
        PipelineError: When a score, selection or drift flag names an unknown
            cluster, a cluster id repeats, or ``slm_usd_per_mtok`` is negative.
    """
    data = ReportData(
        clustering=clustering,
        scores=tuple(scores),
        selections=tuple(selections),
        examples=tuple(examples),
        comparison=comparison,
        drift=tuple(drift),
        title=title,
        created_utc=created_utc or _now_utc(),
        slm_usd_per_mtok=slm_usd_per_mtok,
    )
    _check(data)
    return data


def _check(data: ReportData) -> None:
    if data.slm_usd_per_mtok < 0:
        raise PipelineError(
            f"slm_usd_per_mtok must be >= 0, got {data.slm_usd_per_mtok}; "
            "leave it at 0 for local models"
        )
    clusters = data.clustering.clusters if data.clustering else []
    known = {cluster.id for cluster in clusters}
    if len(known) != len(clusters):
        raise PipelineError("the clustering repeats a cluster id; re-run `hetero-agents cluster`")
    referenced = (
        [("score", score.cluster_id) for score in data.scores]
        + [("selection", selection.cluster_id) for selection in data.selections]
        + [("drift flag", flag.cluster_id) for flag in data.drift if flag.cluster_id is not None]
    )
    for kind, cluster_id in referenced:
        if cluster_id not in known:
            raise PipelineError(
                f"a {kind} names cluster {cluster_id}, which the clustering does not have: "
                "the records come from different runs; re-run `hetero-agents select` after "
                "`hetero-agents cluster` (or `hetero-agents convert`)"
            )
    chosen = [selection.cluster_id for selection in data.selections]
    if len(set(chosen)) != len(chosen):
        raise PipelineError(
            "two selections name the same cluster; pass the selections of one select run"
        )
