"""S6 iterate: notice when live traffic no longer looks like what the artifact was built on.

The router stamps its decision on every call it routes, and ``CallLogger``
records it in ``CallRecord.route``. For calls routed by a ``ClusterPolicy``
that decision says which cluster the call was nearest to (``reason`` starts
``cluster <id>``, or ``far from every cluster: nearest cluster <id>``; a
``cluster`` key is used instead when the router provides one), whether the
SLM's answer was escalated, and why. Three signals come out of it:

- ``escalation_rate`` per SLM cluster: the share of its SLM-routed calls that
  ended on the LLM for any reason (failed checks, SLM errors, prompts too long);
- ``validation_failures`` per SLM cluster: the share escalated because the
  answer failed a check (unknown tool, bad arguments, low confidence, ...) —
  the SLM getting the task wrong, as opposed to the SLM breaking;
- ``far_calls`` overall: the share of calls farther than its threshold from
  every centroid, i.e. traffic of a kind the pipeline never evaluated.

Each is compared with a baseline (by default: the artifact's
``metadata["drift_baseline"]``, else zero) and flagged when it rose by more than
an alarm margin on enough calls. The answer is the same in every case: re-run
``convert`` so the clusters and selections are rebuilt on recent traffic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from hetero_agents.pipeline.records import DriftFlag

if TYPE_CHECKING:
    from hetero_agents.logs.records import CallRecord
    from hetero_agents.routing.artifact import RouterArtifact

ESCALATION_RATE: Final = "escalation_rate"
VALIDATION_FAILURES: Final = "validation_failures"
FAR_CALLS: Final = "far_calls"

_NEAREST = re.compile(r"^(?:far from every cluster: nearest )?cluster (\d+)\b")
_FAR_PREFIX: Final = "far from every cluster"
# escalations that are the SLM (or the router's set-up) failing, not a wrong answer
_BREAKAGE_CODES: Final = ("slm_error", "context_window_exceeded", "unknown_model", "verifier_error")


@dataclass(slots=True)
class _Counts:
    routed: int = 0
    escalated: int = 0
    invalid: int = 0


def detect_drift(
    calls: Iterable[CallRecord],
    artifact: RouterArtifact,
    *,
    baseline: Mapping[str, float] | None = None,
    escalation_alarm: float = 0.15,
    validation_alarm: float | None = None,
    far_alarm: float = 0.10,
    min_calls: int = 20,
    since: datetime | None = None,
) -> list[DriftFlag]:
    """Drift signals over the calls a ``ClusterPolicy`` routed since ``artifact`` was made.

    Args:
        calls: Logged calls (e.g. ``LogStore.calls(status="ok")``); calls not routed
            by a cluster policy, and calls before ``since``, are ignored.
        artifact: The artifact that routed them (its clusters and creation time).
        baseline: Expected values: ``"far_calls"``, ``"escalation_rate"`` and
            ``"validation_failures"`` for all clusters, or ``"escalation_rate:3"``
            for cluster 3. Missing keys fall back to ``artifact.metadata
            ["drift_baseline"]``, then to 0. :func:`baseline_from` turns an earlier
            window's flags into one.
        escalation_alarm: Rise over the baseline that flags a cluster's escalation rate.
        validation_alarm: Same for validation failures (default: ``escalation_alarm``).
        far_alarm: Rise over the baseline that flags the share of far calls.
        min_calls: Fewer calls than this measure a value but never flag it
            (a rate over a handful of calls is noise).
        since: Start of the window; default the artifact's ``created_utc``.

    Returns:
        One flag per measured signal (``flagged`` tells which crossed the alarm):
        ``far_calls`` first, then per SLM cluster by id. Empty when no call was
        routed by a cluster policy in the window.
    """
    start = _aware(since) if since is not None else _parse_time(artifact.created_utc)
    expected = _baseline(artifact, baseline)
    slm_clusters = {c.id for c in artifact.clusters if c.tier == "slm"}
    per_cluster: dict[int, _Counts] = {cid: _Counts() for cid in sorted(slm_clusters)}
    total = far = 0
    for call in calls:
        route = call.route
        if not route or route.get("policy") != "cluster" or _aware(call.datetime_utc) < start:
            continue
        reason = str(route.get("reason") or "")
        cluster_id = _cluster_id(route, reason)
        if cluster_id is None:  # the policy itself failed; no cluster to attribute it to
            continue
        total += 1
        if route.get("far") is True or reason.startswith(_FAR_PREFIX):
            far += 1
            continue
        counts = per_cluster.get(cluster_id)
        if counts is None:  # an LLM cluster
            continue
        counts.routed += 1
        if route.get("escalated"):
            counts.escalated += 1
            code = str(route.get("escalation_reason") or "").split(":", 1)[0]
            counts.invalid += code not in _BREAKAGE_CODES
    if total == 0:
        return []
    flags = [
        _flag(
            FAR_CALLS,
            far,
            total,
            expected=expected,
            cluster_id=None,
            alarm=far_alarm,
            min_calls=min_calls,
        )
    ]
    for cluster_id, counts in per_cluster.items():
        if counts.routed == 0:
            continue
        flags.append(
            _flag(
                ESCALATION_RATE,
                counts.escalated,
                counts.routed,
                expected=expected,
                cluster_id=cluster_id,
                alarm=escalation_alarm,
                min_calls=min_calls,
            )
        )
        flags.append(
            _flag(
                VALIDATION_FAILURES,
                counts.invalid,
                counts.routed,
                expected=expected,
                cluster_id=cluster_id,
                alarm=escalation_alarm if validation_alarm is None else validation_alarm,
                min_calls=min_calls,
            )
        )
    return flags


def baseline_from(flags: Sequence[DriftFlag]) -> dict[str, float]:
    """The values of an earlier window as a ``baseline`` for :func:`detect_drift`."""
    return {_key(flag.metric, flag.cluster_id): flag.value for flag in flags}


def _flag(
    metric: str,
    hits: int,
    n: int,
    *,
    expected: Mapping[str, float],
    cluster_id: int | None,
    alarm: float,
    min_calls: int,
) -> DriftFlag:
    value = hits / n
    base = expected.get(_key(metric, cluster_id), expected.get(metric, 0.0))
    flagged = n >= min_calls and value - base > alarm
    where = "of all cluster-routed calls" if cluster_id is None else f"in cluster {cluster_id}"
    note = f"{metric.replace('_', ' ')} {value:.0%} {where} ({hits}/{n}) vs {base:.0%} expected"
    if flagged:
        note += f": up more than {alarm:.0%}; re-run `hetero-agents convert` on recent traffic"
    elif n < min_calls:
        note += f"; too few calls to judge (< {min_calls})"
    return DriftFlag(
        metric=metric,
        value=value,
        baseline=base,
        flagged=flagged,
        note=note,
        cluster_id=cluster_id,
    )


def _key(metric: str, cluster_id: int | None) -> str:
    return metric if cluster_id is None else f"{metric}:{cluster_id}"


def _baseline(artifact: RouterArtifact, given: Mapping[str, float] | None) -> dict[str, float]:
    stored = artifact.metadata.get("drift_baseline")
    merged: dict[str, float] = {}
    if isinstance(stored, Mapping):
        merged.update({str(k): float(v) for k, v in stored.items() if isinstance(v, int | float)})
    merged.update(given or {})
    return merged


def _cluster_id(route: Mapping[str, object], reason: str) -> int | None:
    explicit = route.get("cluster")
    if isinstance(explicit, int) and not isinstance(explicit, bool):
        return explicit
    match = _NEAREST.match(reason)
    return int(match[1]) if match else None


def _parse_time(text: str) -> datetime:
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
