"""The known-task workload: agents over BFCL, true tasks, variants, and right answers."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from hetero_agents.errors import PipelineError
from hetero_agents.evals.ast_match import ast_match
from hetero_agents.evals.bfcl import load_questions
from hetero_agents.pipeline.workload import (
    AGENTS,
    DEFAULT_AGENTS,
    SHARED_PROMPT,
    WORKLOAD_MODEL,
    build_workload,
)
from hetero_agents.routing.text import routing_text

# First and last function of each agent's questions in bfcl-eval 2026.3.23.
BLOCK_ENDS = {
    "math-tutor": ("calculate_triangle_area", "math.power"),
    "physics-lab": ("calculate_final_velocity", "calculate_distance"),
    "finance-analyst": ("calculate_NPV", "calculate_future_value"),
    "legal-assistant": ("crime_record.get_record", "lawsuit.check_case"),
    "history-guide": ("historic_leader_search", "religious_history.get_papal_biography"),
    "sports-desk": ("calculate_batting_average", "sports_team.get_schedule"),
    "kitchen-assistant": ("find_recipes", "restaurant_search"),
    "travel-desk": ("get_directions", "distance_calculator.calculate"),
    "genetics-lab": ("fetch_DNA_sequence", "prediction.evolution"),
    "data-scientist": ("train_random_forest_classifier", "linear_regression.get_r_squared"),
    "music-shop": ("get_instrument_details", "get_third_chord"),
    "game-master": ("boardgame.get_info", "gamespot.getAverageUserScore"),
}


@pytest.fixture(scope="module")
def questions():
    return load_questions("simple")


@pytest.fixture(scope="module")
def calls():
    return build_workload(600, seed=3)


def test_agents_own_disjoint_blocks_of_the_pinned_data(questions):
    assert set(BLOCK_ENDS) == set(AGENTS)
    seen: set[int] = set()
    for name, agent in AGENTS.items():
        assert len(agent.questions) >= 20
        assert not seen & set(agent.questions), name
        seen |= set(agent.questions)
        ends = (agent.questions[0], agent.questions[-1])
        assert tuple(questions[i].function_names[0] for i in ends) == BLOCK_ENDS[name]
        assert len(set(agent.prompts)) == 3
    assert set(DEFAULT_AGENTS) <= set(AGENTS)


def test_size_tasks_and_splits(calls):
    assert len(calls) == 600
    assert len({c.call_id for c in calls}) == 600
    tasks = Counter(c.task for c in calls)
    assert set(tasks) == set(DEFAULT_AGENTS)
    assert all(c.group == c.task and c.node == "agent" for c in calls)
    assert all(c.model == WORKLOAD_MODEL for c in calls)
    eval_share = sum(c.split == "eval" for c in calls) / len(calls)
    assert 0.12 < eval_share < 0.28


def test_text_is_the_routing_text_of_the_request(calls):
    for c in calls[:50]:
        messages = c.to_messages()
        assert isinstance(messages[0], SystemMessage)
        assert isinstance(messages[1], HumanMessage)
        assert messages[0].text in AGENTS[c.task].prompts
        assert c.text == routing_text(messages, c.tools)


def test_the_answer_calls_one_of_the_bound_tools(calls):
    for c in calls:
        answer = c.response_message()
        assert isinstance(answer, AIMessage)
        (call,) = answer.tool_calls
        assert call["name"] in c.tool_names
        assert len(c.tool_names) == len(set(c.tool_names)) <= 4


def test_first_pass_uses_bfcl_wording_and_its_answers_pass_bfcl(questions):
    n = sum(len(AGENTS[name].questions) for name in DEFAULT_AGENTS)
    calls = build_workload(n, seed=0)
    by_text = {q.messages[-1]["content"]: q for q in questions}
    for c in calls:
        question = by_text[c.to_messages()[1].text]  # the original question, unchanged
        answer = c.response_message().tool_calls
        assert ast_match(answer, question).ok, (question.id, answer)
    assert len({c.to_messages()[1].text for c in calls}) == len(
        {questions[i].messages[-1]["content"] for a in DEFAULT_AGENTS for i in AGENTS[a].questions}
    )


def test_variants_change_numbers_in_text_and_answer_alike(questions):
    triangle = next(q for q in questions if q.id == "simple_python_0")  # base 10, height 5
    calls = build_workload(2000, seed=1, agents=["math-tutor"])
    variants = [c for c in calls if "triangle with a base of" in c.to_messages()[1].text]
    assert len(variants) > 20
    changed = 0
    for c in variants:
        text = c.to_messages()[1].text
        base, height = (
            int(x) for x in re.findall(r"base of (\d+) units and height of (\d+)", text)[0]
        )
        (call,) = c.response_message().tool_calls
        assert (call["args"]["base"], call["args"]["height"]) == (base, height)
        changed += (base, height) != (10, 5)
    assert changed > len(variants) // 2
    assert triangle.function_names == ("calculate_triangle_area",)


def test_percentages_become_fractions_in_the_answer():
    calls = build_workload(3000, seed=2, agents=["finance-analyst"])
    checked = 0
    for c in calls:
        text = c.to_messages()[1].text
        match = re.search(r"annual interest rate of (\d+)%", text)
        (call,) = c.response_message().tool_calls
        if match and call["name"] == "calculate_roi":
            assert call["args"]["annual_interest_rate"] == pytest.approx(int(match[1]) / 100)
            checked += 1
    assert checked > 5


def test_texts_stay_mostly_unique_at_scale():
    calls = build_workload(5000, seed=4)
    assert len({c.text for c in calls}) > 0.95 * len(calls)


def test_seeded():
    first = build_workload(50, seed=7)
    assert [c.text for c in first] == [c.text for c in build_workload(50, seed=7)]
    assert [c.text for c in first] != [c.text for c in build_workload(50, seed=8)]


def test_shared_prompt_and_agent_choice():
    calls = build_workload(100, seed=0, agents=["music-shop", "game-master"], shared_prompt=True)
    assert {c.task for c in calls} == {"music-shop", "game-master"}
    assert {c.to_messages()[0].text for c in calls} == {SHARED_PROMPT}


def test_zero_calls():
    assert build_workload(0) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agents": ["nope"]}, "unknown workload agents"),
        ({"agents": []}, "unknown workload agents"),
        ({"eval_share": 1.5}, "eval_share"),
        ({"extra_tools": -1}, "extra_tools"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(PipelineError, match=message):
        build_workload(10, **kwargs)


def test_negative_size():
    with pytest.raises(PipelineError, match="n must be"):
        build_workload(-1)


def test_logged_calls_curate_back_to_the_same_requests(tmp_path):
    from hetero_agents.logs.store import LogStore
    from hetero_agents.pipeline.curate import curate
    from hetero_agents.pipeline.workload import log_workload

    calls = build_workload(40, seed=5)
    assert log_workload(calls, tmp_path / "logs.db", progress=False) == 40
    with LogStore(tmp_path / "logs.db") as store:
        records = list(store.calls())
        assert len(records) == 40
        assert Counter(r.task for r in records) == Counter(c.task for c in calls)
        assert {r.node for r in records} == {"agent"}
        curated = curate(records, progress=False).examples
    by_text = {c.text: c for c in calls}
    assert len(curated) >= 35  # BFCL holds a few near-duplicate questions
    for example in curated:
        original = by_text[example.text]
        assert example.task == original.task
        assert example.response_message().tool_calls == original.response_message().tool_calls
