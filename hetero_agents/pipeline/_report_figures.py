"""The numbers a report shows, computed once from its records (no drawing here).

Keeping the arithmetic apart from the HTML means the figures can be tested on
their own, and the HTML report and the terminal summary can never disagree.

Conventions, stated in the report too:

* A call "moves" when its cluster's selection is the SLM tier; calls no cluster
  took stay on the LLM.
* Quality is agreement with the LLM's own recorded answers: a call left on the
  LLM counts 1, a moved call counts its chosen candidate's measured accuracy.
* Savings compare what the curated calls cost on the LLM (as recorded) with
  what they would cost routed: SLM tokens are priced at ``slm_usd_per_mtok``
  (0 for local models) and SLM latency is the chosen candidate's measured one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hetero_agents.pipeline._pca import pca_2d
from hetero_agents.pipeline._report_data import ReportData
from hetero_agents.pipeline.records import MODES, CandidateScore, Cluster, Example, Selection


@dataclass(slots=True)
class _Usage:
    """Running totals of the recorded LLM usage of a group of examples."""

    examples: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    costed: int = 0
    latency_ms: float = 0.0
    timed: int = 0

    def add(self, example: Example) -> None:
        self.examples += 1
        self.tokens += (example.input_tokens or 0) + (example.output_tokens or 0)
        if example.cost_usd is not None:
            self.cost_usd += example.cost_usd
            self.costed += 1
        if example.duration_ms is not None:
            self.latency_ms += example.duration_ms
            self.timed += 1


@dataclass(frozen=True, slots=True)
class ClusterRow:
    """One cluster with its scores, decision and recorded LLM usage.

    Attributes:
        cluster: The cluster.
        selection: S4's decision, ``None`` if it was never scored.
        scores: Its candidate x mode scores, by candidate then mode.
        chosen: The score of the selected SLM candidate, when an SLM was chosen.
        best: The highest-agreement SLM score (ties: faster first), if any.
        examples / tokens / llm_cost_usd / llm_latency_ms: Usage of its curated
            calls as the LLM recorded it (sums; ``costed`` and ``timed`` count
            the calls that recorded a cost / a duration).
    """

    cluster: Cluster
    selection: Selection | None
    scores: tuple[CandidateScore, ...]
    chosen: CandidateScore | None
    best: CandidateScore | None
    examples: int
    tokens: int
    llm_cost_usd: float
    llm_latency_ms: float
    timed: int
    costed: int

    @property
    def on_slm(self) -> bool:
        """Whether this cluster's calls move to an SLM."""
        return self.selection is not None and self.selection.tier == "slm"

    @property
    def quality(self) -> float:
        """Expected agreement with the LLM of this cluster's calls as selected."""
        if not self.on_slm:
            return 1.0
        if self.chosen is not None:
            return self.chosen.accuracy
        score = self.selection.score if self.selection else None
        return score if score is not None else 0.0


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """One point of the cost/quality curve.

    Attributes:
        share_moved: Share of all calls served by SLMs, 0..1.
        quality: Expected agreement with the LLM over all calls, 0..1.
        cost_saved_usd: Estimated LLM cost avoided at this point.
        cluster_id: The cluster whose move reached this point (``None`` at the start).
    """

    share_moved: float
    quality: float
    cost_saved_usd: float
    cluster_id: int | None = None


@dataclass(frozen=True, slots=True)
class Savings:
    """What the selections move to SLMs, over the curated calls.

    ``None`` marks a figure the records cannot support (no tokens, cost or
    latency recorded), so the report says "not recorded" instead of inventing 0.
    """

    calls: int
    slm_calls: int
    tokens: int
    slm_tokens: int
    llm_cost_usd: float | None
    routed_cost_usd: float | None
    llm_latency_ms: float | None
    routed_latency_ms: float | None

    @property
    def call_share(self) -> float:
        """Share of calls moved to SLMs."""
        return self.slm_calls / self.calls if self.calls else 0.0

    @property
    def token_share(self) -> float | None:
        """Share of recorded tokens moved to SLMs."""
        return self.slm_tokens / self.tokens if self.tokens else None

    @property
    def cost_saved_usd(self) -> float | None:
        """LLM-only cost minus routed cost."""
        if self.llm_cost_usd is None or self.routed_cost_usd is None:
            return None
        return self.llm_cost_usd - self.routed_cost_usd

    @property
    def latency_saved_ms(self) -> float | None:
        """Mean time per call saved (negative when the SLMs are slower)."""
        if self.llm_latency_ms is None or self.routed_latency_ms is None:
            return None
        return self.llm_latency_ms - self.routed_latency_ms


@dataclass(frozen=True, slots=True)
class ReportFigures:
    """All derived figures of one report.

    Attributes:
        rows: One per cluster, in the clustering's order.
        unassigned: Curated calls no cluster took (they stay on the LLM).
        savings: Calls, tokens, cost and latency moved.
        curve: Cost/quality curve, from "all on the LLM" to "every scored
            cluster on its best SLM".
        operating_point: Where the actual selections sit.
        positions: ``cluster id -> (x, y)``, the centroids' first two principal
            components.
        explained: Share of the centroids' variance each axis explains.
    """

    rows: tuple[ClusterRow, ...]
    unassigned: int
    savings: Savings
    curve: tuple[CurvePoint, ...]
    operating_point: CurvePoint
    positions: dict[int, tuple[float, float]]
    explained: tuple[float, float]


def report_figures(data: ReportData) -> ReportFigures:
    """Compute every figure the report shows from ``data`` (one pass over the examples)."""
    clusters = data.clustering.clusters if data.clustering else []
    assignments = data.clustering.assignments if data.clustering else {}
    usage = {cluster.id: _Usage() for cluster in clusters}
    outside = _Usage()
    for example in data.examples:
        cluster_id = assignments.get(example.call_id)
        group = usage.get(cluster_id, outside) if cluster_id is not None else outside
        group.add(example)
    scores: dict[int, list[CandidateScore]] = defaultdict(list)
    for score in data.scores:
        scores[score.cluster_id].append(score)
    selections = {selection.cluster_id: selection for selection in data.selections}
    rows = tuple(
        _row(cluster, scores[cluster.id], selections.get(cluster.id), usage[cluster.id])
        for cluster in clusters
    )
    per_mtok = data.slm_usd_per_mtok
    savings = _savings(rows, outside, per_mtok)
    curve = _curve(rows, savings.calls, per_mtok)
    operating = _point([row for row in rows if row.on_slm], savings.calls, per_mtok, None)
    positions, explained = _positions(clusters)
    return ReportFigures(
        rows=rows,
        unassigned=outside.examples,
        savings=savings,
        curve=curve,
        operating_point=operating,
        positions=positions,
        explained=explained,
    )


_MODE_ORDER = {mode: i for i, mode in enumerate(MODES)}


def _row(
    cluster: Cluster,
    cluster_scores: list[CandidateScore],
    selection: Selection | None,
    usage: _Usage,
) -> ClusterRow:
    scores = tuple(
        sorted(cluster_scores, key=lambda s: (s.candidate, _MODE_ORDER.get(s.mode, len(MODES))))
    )
    chosen = None
    if selection is not None and selection.tier == "slm":
        chosen = next(
            (s for s in scores if s.candidate == selection.model and s.mode == selection.mode),
            None,
        )
    best = min(scores, key=lambda s: (-s.accuracy, s.latency_ms, s.candidate), default=None)
    return ClusterRow(
        cluster=cluster,
        selection=selection,
        scores=scores,
        chosen=chosen,
        best=best,
        examples=usage.examples,
        tokens=usage.tokens,
        llm_cost_usd=usage.cost_usd,
        llm_latency_ms=usage.latency_ms,
        timed=usage.timed,
        costed=usage.costed,
    )


def _savings(rows: tuple[ClusterRow, ...], outside: _Usage, per_mtok: float) -> Savings:
    moved = [row for row in rows if row.on_slm]
    tokens = outside.tokens + sum(row.tokens for row in rows)
    slm_tokens = sum(row.tokens for row in moved)
    costed = outside.costed + sum(row.costed for row in rows)
    llm_cost = outside.cost_usd + sum(row.llm_cost_usd for row in rows)
    moved_cost = sum(row.llm_cost_usd for row in moved)
    timed = outside.timed + sum(row.timed for row in rows)
    llm_time = outside.latency_ms + sum(row.llm_latency_ms for row in rows)
    routed_time = llm_time - sum(
        row.llm_latency_ms - row.chosen.latency_ms * row.timed
        for row in moved
        if row.chosen is not None
    )
    return Savings(
        calls=outside.examples + sum(row.cluster.size for row in rows),
        slm_calls=sum(row.cluster.size for row in moved),
        tokens=tokens,
        slm_tokens=slm_tokens,
        llm_cost_usd=llm_cost if costed else None,
        routed_cost_usd=llm_cost - moved_cost + slm_tokens * per_mtok / 1e6 if costed else None,
        llm_latency_ms=llm_time / timed if timed else None,
        routed_latency_ms=routed_time / timed if timed else None,
    )


def _curve(rows: Iterable[ClusterRow], total: int, per_mtok: float) -> tuple[CurvePoint, ...]:
    if total == 0:
        return ()
    movable = sorted(
        (row for row in rows if row.best is not None),
        key=lambda row: (-_best_accuracy(row), -row.cluster.size, row.cluster.id),
    )
    points = [CurvePoint(share_moved=0.0, quality=1.0, cost_saved_usd=0.0)]
    for i, row in enumerate(movable):
        points.append(_point(movable[: i + 1], total, per_mtok, row.cluster.id, best=True))
    return tuple(points)


def _best_accuracy(row: ClusterRow) -> float:
    return row.best.accuracy if row.best is not None else 0.0


def _point(
    moved: list[ClusterRow],
    total: int,
    per_mtok: float,
    cluster_id: int | None,
    *,
    best: bool = False,
) -> CurvePoint:
    """The curve point reached with ``moved`` on SLMs (at their best or chosen candidate)."""
    if total == 0:
        return CurvePoint(share_moved=0.0, quality=1.0, cost_saved_usd=0.0)
    calls = sum(row.cluster.size for row in moved)
    loss = sum(
        row.cluster.size * (1.0 - (_best_accuracy(row) if best else row.quality)) for row in moved
    )
    saved = sum(row.llm_cost_usd - row.tokens * per_mtok / 1e6 for row in moved)
    return CurvePoint(
        share_moved=calls / total,
        quality=1.0 - loss / total,
        cost_saved_usd=saved,
        cluster_id=cluster_id,
    )


def _positions(
    clusters: list[Cluster],
) -> tuple[dict[int, tuple[float, float]], tuple[float, float]]:
    if not clusters:
        return {}, (0.0, 0.0)
    coords, explained = pca_2d([cluster.centroid for cluster in clusters])
    positions = {
        cluster.id: (float(x), float(y)) for cluster, (x, y) in zip(clusters, coords, strict=True)
    }
    return positions, explained
