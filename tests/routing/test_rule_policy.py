"""RulePolicy: static routing by task, node and tag."""

from __future__ import annotations

import pytest

from hetero_agents.routing.context import RouteContext
from hetero_agents.routing.policies import Rule, RulePolicy


def test_precedence_is_rules_then_task_then_node_then_tag() -> None:
    policy = RulePolicy(
        [Rule("llm", node="n", tag="urgent")],
        tasks={"t": "slm"},
        nodes={"n": "llm"},
        tags={"cheap": "tiny"},
        default="llm",
    )
    both = RouteContext(task="t", node="n", tags=("urgent",))
    assert policy.decide([], both).reason == "rule node=n tag=urgent"
    task_and_node = RouteContext(task="t", node="n")
    decision = policy.decide([], task_and_node)
    assert (decision.tier, decision.reason) == ("slm", "task=t")
    assert policy.decide([], RouteContext(node="n", tags=("cheap",))).reason == "node=n"
    tagged = policy.decide([], RouteContext(tags=("x", "cheap")))
    assert (tagged.tier, tagged.model, tagged.reason) == ("slm", "tiny", "tag=cheap")
    default = policy.decide([], RouteContext())
    assert (default.tier, default.reason, default.policy) == ("llm", "default", "rule")


def test_a_rule_must_match_every_selector() -> None:
    rule = Rule("slm", node="n", task="t")
    assert rule.matches(RouteContext(node="n", task="t"))
    assert not rule.matches(RouteContext(node="n"))


def test_targets_name_a_tier_or_an_slm() -> None:
    policy = RulePolicy(
        nodes={"a": "slm", "b": "llm", "c": "qwen"}, default="slm", default_model="x"
    )
    assert (policy.decide([], RouteContext(node="a")).model) is None
    assert policy.decide([], RouteContext(node="b")).tier == "llm"
    c = policy.decide([], RouteContext(node="c"))
    assert (c.tier, c.model) == ("slm", "qwen")
    d = policy.decide([], RouteContext())
    assert (d.tier, d.model) == ("slm", "x")


def test_bad_rules_are_rejected_early() -> None:
    with pytest.raises(ValueError, match="at least one of"):
        Rule("slm")
    with pytest.raises(ValueError, match="'slm' or 'llm'"):
        Rule("gpu", node="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="default must be"):
        RulePolicy(default="big")  # type: ignore[arg-type]
