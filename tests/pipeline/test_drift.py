"""Drift: escalations, validation failures and far calls against the artifact's baseline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from route_fixtures import T0, routed_call, small_artifact

from hetero_agents.logs.records import CallRecord
from hetero_agents.pipeline.drift import baseline_from, detect_drift
from hetero_agents.pipeline.records import DriftFlag
from hetero_agents.routing.artifact import RouterArtifact


def artifact(**metadata: object) -> RouterArtifact:
    art = small_artifact()
    return RouterArtifact(
        art.embedding,
        art.clusters,
        art.centroids,
        metadata=dict(metadata),
        created_utc=T0.isoformat(),
    )


def served(index: int, cluster: int) -> CallRecord:
    return routed_call(index, f"cluster {cluster} (label) at 0.100")


def escalated(index: int, cluster: int, why: str) -> CallRecord:
    return routed_call(
        index, f"cluster {cluster} (label) at 0.100", escalated=True, escalation_reason=why
    )


def far(index: int, nearest: int = 2) -> CallRecord:
    return routed_call(index, f"far from every cluster: nearest cluster {nearest} at 0.9 > 0.5")


def by_key(flags: list[DriftFlag]) -> dict[tuple[str, int | None], DriftFlag]:
    return {(flag.metric, flag.cluster_id): flag for flag in flags}


def test_rising_escalations_and_validation_failures_are_flagged_per_cluster() -> None:
    calls = [served(i, 0) for i in range(20)]  # cluster 0: healthy
    calls += [served(100 + i, 1) for i in range(14)]  # cluster 1: 6 of 20 escalate
    calls += [escalated(200 + i, 1, "bad_arguments: f: 'x' is required") for i in range(4)]
    calls += [escalated(300 + i, 1, "slm_error: RuntimeError: boom") for i in range(2)]
    calls += [routed_call(400 + i, "cluster 2 (plan) is served by the LLM") for i in range(20)]
    flags = by_key(detect_drift(calls, artifact(), min_calls=10))
    assert set(flags) == {
        ("far_calls", None),
        ("escalation_rate", 0),
        ("validation_failures", 0),
        ("escalation_rate", 1),
        ("validation_failures", 1),
    }  # cluster 2 is an LLM cluster: nothing to escalate
    assert flags["escalation_rate", 0].value == 0.0
    assert not flags["escalation_rate", 0].flagged
    rate = flags["escalation_rate", 1]
    assert rate.value == pytest.approx(6 / 20)
    assert rate.flagged
    assert "re-run `hetero-agents convert`" in rate.note
    invalid = flags["validation_failures", 1]
    assert invalid.value == pytest.approx(4 / 20)  # SLM errors are not wrong answers
    assert invalid.flagged
    assert flags["far_calls", None].value == 0.0


def test_a_baseline_raises_the_bar() -> None:
    calls = [served(i, 1) for i in range(14)]
    calls += [escalated(100 + i, 1, "low_confidence: mean logprob -3 < -1") for i in range(6)]
    baseline = {"escalation_rate:1": 0.25, "validation_failures": 0.25}
    flags = by_key(detect_drift(calls, artifact(), baseline=baseline, min_calls=10))
    assert not flags["escalation_rate", 1].flagged  # 30% vs 25% expected
    assert flags["escalation_rate", 1].baseline == 0.25
    assert not flags["validation_failures", 1].flagged
    later = by_key(detect_drift(calls, artifact(), min_calls=10))
    assert later["escalation_rate", 1].flagged  # vs 0% when nothing was expected


def test_a_growing_share_of_far_calls_is_flagged_against_the_artifacts_baseline() -> None:
    calls = [served(i, 0) for i in range(16)] + [far(100 + i) for i in range(4)]
    quiet = by_key(detect_drift(calls, artifact(drift_baseline={"far_calls": 0.15})))
    assert quiet["far_calls", None].value == pytest.approx(0.2)
    assert not quiet["far_calls", None].flagged
    loud = by_key(detect_drift(calls, artifact(drift_baseline={"far_calls": 0.05})))
    assert loud["far_calls", None].flagged
    assert loud["far_calls", None].baseline == 0.05


def test_too_few_calls_measure_but_never_flag() -> None:
    calls = [escalated(i, 0, "unknown_tool: 'x'") for i in range(5)]
    flags = by_key(detect_drift(calls, artifact(), min_calls=20))
    assert flags["escalation_rate", 0].value == 1.0
    assert not flags["escalation_rate", 0].flagged
    assert "too few calls" in flags["escalation_rate", 0].note


def test_only_cluster_routed_calls_since_the_artifact_count() -> None:
    before = routed_call(1, "cluster 0 (x) at 0.1", when=T0 - timedelta(days=1), escalated=True)
    other_policy = routed_call(2, "rule: node extract", policy="rule", escalated=True)
    policy_error = routed_call(3, "policy_error: ValueError: boom")
    assert detect_drift([before, other_policy, policy_error], artifact()) == []
    since = detect_drift([before], artifact(), since=T0 - timedelta(days=2), min_calls=1)
    assert by_key(since)["escalation_rate", 0].flagged


def test_an_explicit_cluster_key_in_the_route_wins_over_the_reason() -> None:
    call = routed_call(1, "some future reason text", cluster=1, escalated=True)
    flags = by_key(detect_drift([call], artifact(), min_calls=1))
    assert flags["escalation_rate", 1].value == 1.0


def test_baseline_from_an_earlier_window() -> None:
    calls = [served(i, 0) for i in range(3)] + [escalated(10, 0, "empty: no text")]
    baseline = baseline_from(detect_drift(calls, artifact()))
    assert baseline == {
        "far_calls": 0.0,
        "escalation_rate:0": 0.25,
        "validation_failures:0": 0.25,
    }
