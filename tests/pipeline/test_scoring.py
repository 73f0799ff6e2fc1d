"""score_answer: is the small model's answer the LLM's answer? One test per rule."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from select_fakes import WEATHER, always, call, json_text, scripted

from hetero_agents.pipeline._judge import Verdict
from hetero_agents.pipeline.scoring import metric_for, parse_json, score_answer, text_similarity
from hetero_agents.routing.embedders import HashingEmbedder

EMBEDDER = HashingEmbedder(dim=256)
SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "temp": {"type": "number"}},
    "required": ["city", "temp"],
    "additionalProperties": False,
}


# -- which metric -------------------------------------------------------------------------


def test_metric_follows_the_llm_answer():
    assert metric_for(call("get_weather", {"city": "Paris"})) == "tool_call"
    assert metric_for(json_text({"a": 1})) == "json"
    assert metric_for(AIMessage(content="42")) == "text"  # a bare number is prose, not JSON
    assert metric_for(AIMessage(content="42"), schema={"type": "integer"}) == "json"


# -- tool calls ---------------------------------------------------------------------------


def test_same_call_with_schema_normalised_arguments_is_correct():
    reference = call("get_weather", {"city": "Paris", "days": 1})
    answer = call("get_weather", {"city": "paris"}, call_id="other")  # default days, case
    score = score_answer(reference, answer, tools=[WEATHER])
    assert (score.metric, score.correct, score.valid) == ("tool_call", True, True)


def test_wrong_argument_value_is_wrong_and_says_which():
    score = score_answer(
        call("get_weather", {"city": "Paris"}),
        call("get_weather", {"city": "Rome"}),
        tools=[WEATHER],
    )
    assert not score.correct
    assert score.valid
    assert "city" in score.detail


def test_parallel_calls_match_in_any_order():
    reference = AIMessage(
        content="",
        tool_calls=[
            {"name": "get_weather", "args": {"city": "Paris"}, "id": "a"},
            {"name": "get_weather", "args": {"city": "Rome"}, "id": "b"},
        ],
    )
    answer = AIMessage(
        content="",
        tool_calls=[
            {"name": "get_weather", "args": {"city": "Rome"}, "id": "c"},
            {"name": "get_weather", "args": {"city": "Paris"}, "id": "d"},
        ],
    )
    assert score_answer(reference, answer, tools=[WEATHER]).correct
    one = AIMessage(content="", tool_calls=answer.tool_calls[:1])
    short = score_answer(reference, one, tools=[WEATHER])
    assert not short.correct
    assert "expected 2 call(s)" in short.detail


def test_text_instead_of_a_call_is_wrong_and_invalid():
    score = score_answer(call("get_weather", {"city": "Paris"}), AIMessage(content="Sunny."))
    assert (score.correct, score.valid) == (False, False)


def test_arguments_that_break_the_schema_are_invalid():
    answer = call("get_weather", {"city": "Paris", "days": "two"})
    score = score_answer(call("get_weather", {"city": "Paris"}), answer, tools=[WEATHER])
    assert not score.valid
    assert "days" in score.detail


def test_unknown_tool_is_invalid():
    score = score_answer(
        call("get_weather", {"city": "Paris"}),
        call("get_time", {"city": "Paris"}),
        tools=[WEATHER],
    )
    assert (score.correct, score.valid) == (False, False)


# -- JSON ---------------------------------------------------------------------------------


def test_json_equal_after_normalisation_is_correct():
    reference = json_text({"city": "Paris", "temp": 21})
    answer = AIMessage(content='```json\n{"temp": 21.0, "city": "paris"}\n```')
    score = score_answer(reference, answer, schema=SCHEMA)
    assert (score.metric, score.correct, score.valid) == ("json", True, True)


def test_json_that_breaks_the_schema_is_invalid():
    score = score_answer(
        json_text({"city": "Paris", "temp": 21}), json_text({"city": "Paris"}), schema=SCHEMA
    )
    assert (score.correct, score.valid) == (False, False)
    assert "temp" in score.detail


def test_json_with_another_value_is_valid_but_wrong():
    score = score_answer(
        json_text({"city": "Paris", "temp": 21}),
        json_text({"city": "Paris", "temp": 22}),
        schema=SCHEMA,
    )
    assert (score.correct, score.valid) == (False, True)


def test_not_json_is_invalid():
    score = score_answer(json_text({"a": 1}), AIMessage(content="a is one"))
    assert (score.correct, score.valid) == (False, False)
    assert not isinstance(parse_json("not json"), dict | list | str | int)
    assert parse_json("  [1, 2] ") == [1, 2]


# -- text ---------------------------------------------------------------------------------


def test_identical_text_needs_no_embedding():
    score = score_answer(AIMessage(content="It is  sunny."), AIMessage(content="It is sunny."))
    assert (score.correct, score.similarity) == (True, 1.0)


def test_text_similarity_against_the_threshold():
    reference = AIMessage(content="The meeting is moved to Tuesday at noon in room four")
    close = AIMessage(content="The meeting is moved to Tuesday at noon in room five")
    far = AIMessage(content="Bananas are rich in potassium and grow in warm climates")
    good = score_answer(reference, close, embedder=EMBEDDER, text_threshold=0.6)
    bad = score_answer(reference, far, embedder=EMBEDDER, text_threshold=0.6)
    assert good.correct
    assert not bad.correct
    assert bad.similarity is not None
    assert good.similarity is not None
    assert bad.similarity < 0.6 <= good.similarity
    strict = score_answer(reference, close, embedder=EMBEDDER, text_threshold=0.999)
    assert not strict.correct


def test_a_tool_call_where_the_llm_answered_text_is_wrong():
    score = score_answer(AIMessage(content="Sunny."), call("get_weather", {"city": "Paris"}))
    assert not score.correct
    assert "get_weather" in score.detail


def test_empty_text_is_invalid():
    score = score_answer(AIMessage(content="Sunny."), AIMessage(content="  "))
    assert (score.correct, score.valid) == (False, False)


def test_text_similarity_is_symmetric_and_bounded():
    a, b = "route the call to billing", "send the caller to billing"
    assert text_similarity(a, b, EMBEDDER) == pytest.approx(text_similarity(b, a, EMBEDDER))
    assert -1.0 <= text_similarity(a, b, EMBEDDER) <= 1.0


# -- judge --------------------------------------------------------------------------------


def test_judge_verdict_replaces_the_threshold():
    judge = always(json_text({"same": False, "reason": "different day"}))
    reference = AIMessage(content="The meeting is on Tuesday.")
    score = score_answer(
        reference,
        AIMessage(content="The meeting is on Tuesday!"),
        embedder=EMBEDDER,
        judge=judge,
        request=[HumanMessage("When is the meeting?")],
    )
    assert not score.correct  # identical-ish text, but the judge said no
    assert score.detail == "judge: different day"
    sent = judge.calls[0]["messages"][-1].text
    assert "When is the meeting?" in sent
    assert "The meeting is on Tuesday!" in sent
    # asked through structured output, not free text
    assert judge.calls[0]["kwargs"]["response_format"]["json_schema"]["schema"] is Verdict


def test_a_failing_judge_falls_back_to_similarity():
    def broken(messages, kwargs):
        raise RuntimeError("judge down")

    reference = AIMessage(content="The meeting is on Tuesday.")
    score = score_answer(
        reference,
        AIMessage(content="The meeting is on Tuesday!"),
        embedder=EMBEDDER,
        judge=scripted(broken),
        text_threshold=0.5,
    )
    assert score.correct
    assert not score.detail.startswith("judge")
