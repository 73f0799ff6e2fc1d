"""S4 select: replay, thresholds, cheapest choice, failures, alternates, modes (fake models)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, messages_to_dict
from select_fakes import (
    always,
    call,
    city_of,
    clustering,
    example,
    right_weather,
    scripted,
    weather_example,
)

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._replay import ReplayRequest
from hetero_agents.pipeline.candidates import Candidate, model_candidate
from hetero_agents.pipeline.select import select
from hetero_agents.routing.embedders import HashingEmbedder

CITIES = ["Paris", "Rome", "Oslo", "Lima", "Cairo"]
EVAL = [weather_example(f"e{i}", city) for i, city in enumerate(CITIES)]
TRAIN = [weather_example(f"t{i}", city, split="train") for i, city in enumerate(["Bern", "Kyiv"])]
WEATHER_CLUSTER = clustering({0: [*EVAL, *TRAIN]})


def right_on(share: int):
    """Right on the first ``share`` cities, wrong after."""

    def reply(messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        city = city_of(messages)
        ok = city in CITIES[:share] or city not in CITIES
        return call("get_weather", {"city": city if ok else "Nowhere"})

    return reply


def candidate(name: str, mb: float, reply=right_weather) -> Candidate:
    return model_candidate(name, scripted(reply), footprint_mb=mb)


def run(candidates, examples=(*EVAL, *TRAIN), clusters=WEATHER_CLUSTER, **kwargs):
    kwargs.setdefault("progress", False)
    kwargs.setdefault("embedder", HashingEmbedder(64))
    return select(clusters, list(examples), candidates, **kwargs)


def test_the_cheapest_passing_candidate_serves():
    result = run([candidate("big", 900), candidate("small", 100), candidate("mid", 400)])
    chosen = result.selection(0)
    assert (chosen.tier, chosen.model, chosen.mode) == ("slm", "small", "zero-shot")
    assert chosen.score == 1.0
    assert chosen.required == 0.8
    assert "cheapest of 3 passing" in chosen.reason
    assert "min_agreement" in chosen.reason
    assert len(result.scores) == 3 * 2  # three models x (zero-shot, few-shot)
    row = next(s for s in result.scores if s.candidate == "small" and s.mode == "zero-shot")
    assert (row.n, row.accuracy, row.validity, row.errors, row.metric) == (
        5,
        1.0,
        1.0,
        0,
        "tool_call",
    )
    assert row.footprint_mb == 100
    assert row.latency_ms >= 0
    assert [c["call_id"] for c in row.details["calls"]] == [e.call_id for e in EVAL]


def test_equal_footprint_prefers_the_faster():
    import time

    def slow(messages, kwargs):
        time.sleep(0.01)
        return right_weather(messages, kwargs)

    result = run([candidate("slow", 100, slow), candidate("fast", 100)], modes=("zero-shot",))
    assert result.selection(0).model == "fast"


def test_a_candidate_below_the_bar_is_passed_over():
    # 3/5 = 0.6 < 0.8: the small model fails, the bigger one serves
    result = run([candidate("small", 100, right_on(3)), candidate("big", 900)])
    chosen = result.selection(0)
    assert chosen.model == "big"
    small = next(s for s in result.scores if s.candidate == "small" and s.mode == "zero-shot")
    assert small.accuracy == pytest.approx(0.6)
    assert small.details["calls"][4]["correct"] is False
    assert "'city'" in small.details["calls"][4]["detail"]


def test_min_agreement_moves_the_bar():
    result = run([candidate("small", 100, right_on(3))], min_agreement=0.6)
    assert result.selection(0).model == "small"


def test_nobody_passes_so_the_llm_keeps_it():
    result = run([candidate("small", 100, right_on(2)), candidate("tiny", 50, right_on(1))])
    chosen = result.selection(0)
    assert chosen.tier == "llm"
    assert chosen.model is None
    assert chosen.score == pytest.approx(0.4)
    assert "best was small" in chosen.reason
    assert "LLM keeps" in chosen.reason


def test_a_candidate_that_fails_to_load_is_recorded_not_fatal():
    def broken(lora: Path | None):
        raise OSError("weights missing")

    result = run([Candidate("broken", 10, loader=broken), candidate("ok", 500)])
    failed = [s for s in result.scores if s.candidate == "broken"]
    assert {s.mode for s in failed} == {"zero-shot", "few-shot"}
    assert all(s.errors == s.n == 5 and s.accuracy == 0 for s in failed)
    assert "weights missing" in failed[0].details["load_error"]
    assert result.selection(0).model == "ok"


def test_errors_during_replay_count_against_the_candidate():
    def flaky(messages, kwargs):
        if city_of(messages) == "Oslo":
            raise RuntimeError("context window exceeded")
        return right_weather(messages, kwargs)

    result = run([candidate("flaky", 100, flaky)], modes=("zero-shot",))
    row = result.scores[0]
    assert (row.errors, row.accuracy) == (1, pytest.approx(0.8))
    assert "context window exceeded" in row.details["first_error"]
    assert result.selection(0).tier == "slm"  # 0.8 >= 0.8


def test_each_model_is_loaded_once_for_all_clusters_and_freed():
    loads: list[Path | None] = []
    other = [weather_example(f"o{i}", c) for i, c in enumerate(["Quito", "Dakar"])]
    two = clustering({0: [*EVAL, *TRAIN], 1: other})

    def load(lora: Path | None):
        loads.append(lora)
        return scripted(right_weather)

    result = run(
        [Candidate("loaded", 100, loader=load)], examples=[*EVAL, *TRAIN, *other], clusters=two
    )
    assert loads == [None]
    assert {s.cluster_id for s in result.scores} == {0, 1}
    assert [s.tier for s in result.selections] == ["slm", "slm"]


def test_alternates_set_a_relative_bar():
    wrong = messages_to_dict([call("get_weather", {"city": "Elsewhere"})])[0]
    right = messages_to_dict([call("get_weather", {"city": "Paris"})])[0]
    # the LLM agrees with itself on 2 of 4 pairs -> required 0.95 * 0.5
    alternates = {
        "e0": [right, wrong],
        "t0": [
            {
                "content": "",
                "tool_calls": [{"name": "get_weather", "args": {"city": "Bern"}, "id": "z"}],
            }
        ],
        "e1": [wrong],
    }
    result = run([candidate("small", 100, right_on(3))], alternates=alternates)
    chosen = result.selection(0)
    assert chosen.required == pytest.approx(0.475)
    assert "self-agreement 0.50 over 4" in chosen.reason
    assert chosen.model == "small"


def test_too_few_alternates_fall_back_to_min_agreement():
    right = messages_to_dict([call("get_weather", {"city": "Paris"})])[0]
    result = run([candidate("small", 100)], alternates={"e0": [right, right]})
    chosen = result.selection(0)
    assert chosen.required == 0.8
    assert "2 alternate answer(s), 3 needed" in chosen.reason


def test_a_malformed_alternate_fails_before_any_replay():
    model = always(call("get_weather", {"city": "x"}))
    with pytest.raises(PipelineError, match="e0"):
        run({"m": model}, alternates={"e0": [{"type": "human", "data": {"content": "hi"}}]})
    assert model.calls == []


def test_few_shot_wins_where_zero_shot_fails():
    def needs_shots(messages, kwargs):
        shown = sum(1 for m in messages if m.type == "human") > 1
        return call("get_weather", {"city": city_of(messages) if shown else "?"})

    fake = scripted(needs_shots)
    result = run([model_candidate("m", fake, footprint_mb=100)], few_shot_k=1)
    chosen = result.selection(0)
    assert (chosen.model, chosen.mode) == ("m", "few-shot")
    assert [e.call_id for e in result.shots[0]] == ["t0"]
    few = next(s for s in result.scores if s.mode == "few-shot")
    assert few.details["shots"] == ["t0"]
    assert few.accuracy == 1.0
    assert "zero-shot" in {s.mode for s in result.scores if s.accuracy == 0}


def test_zero_shot_before_few_shot_at_equal_model():
    import time

    def slower_without_shots(messages, kwargs):
        if sum(1 for m in messages if m.type == "human") == 1:
            time.sleep(0.01)  # zero-shot measured slower: the mode rule must still win
        return right_weather(messages, kwargs)

    result = run([candidate("m", 100, slower_without_shots)])
    assert result.selection(0).mode == "zero-shot"


def test_lora_mode_runs_where_an_adapter_exists(tmp_path):
    adapter = tmp_path / "c0.gguf"
    adapter.write_bytes(b"x" * 2_000_000)
    loads: list[Path | None] = []

    def load(lora: Path | None):
        loads.append(lora)
        return scripted(right_weather if lora else right_on(1))

    result = run(
        [Candidate("base", 100, loader=load)],
        modes=("zero-shot", "lora"),
        loras={(0, "base"): adapter, (7, "base"): adapter},  # cluster 7 does not exist
    )
    assert loads == [None, adapter]
    lora = next(s for s in result.scores if s.mode == "lora")
    assert lora.footprint_mb == pytest.approx(102)
    chosen = result.selection(0)
    assert (chosen.mode, chosen.lora) == ("lora", str(adapter))


def test_loras_are_ignored_unless_the_mode_is_asked_for(tmp_path):
    result = run([candidate("m", 100)], modes=("zero-shot",), loras={(0, "m"): tmp_path / "a.gguf"})
    assert {s.mode for s in result.scores} == {"zero-shot"}


def test_a_cluster_without_eval_examples_stays_on_the_llm():
    only_train = clustering({0: TRAIN})
    result = run([candidate("m", 100)], examples=TRAIN, clusters=only_train)
    assert result.scores == []
    chosen = result.selection(0)
    assert chosen.tier == "llm"
    assert "no eval examples" in chosen.reason


def test_previous_tiers_mark_promotions():
    result = run([candidate("m", 100)], previous={0: "llm"})
    assert result.selection(0).previous_tier == "llm"
    assert result.selection(0).change == "promoted"


def test_max_eval_limits_the_replay():
    fake = scripted(right_weather)
    result = run({"m": fake}, modes=("zero-shot",), max_eval=2)
    assert result.scores[0].n == 2
    assert len(fake.calls) == 2


def test_text_and_json_clusters_are_scored_by_their_metric():
    texts = [
        example(f"x{i}", f"Greet {n}", AIMessage(content=f"Hello {n}, welcome aboard"))
        for i, n in enumerate(["Ann", "Bob", "Cy"])
    ]
    jsons = [
        example(f"j{i}", f"Parse {n}", AIMessage(content=f'{{"name": "{n}"}}'))
        for i, n in enumerate(["Ann", "Bob"])
    ]

    def answer(messages, kwargs):
        asked = messages[-1].text
        name = asked.split()[-1]
        if asked.startswith("Greet"):
            return AIMessage(content=f"Hello {name}, welcome aboard!")
        return AIMessage(content=f'{{"name": "{name}"}}')

    result = run(
        {"m": scripted(answer)},
        examples=[*texts, *jsons],
        clusters=clustering({0: texts, 1: jsons}),
        modes=("zero-shot",),
    )
    by_cluster = {s.cluster_id: s for s in result.scores}
    assert (by_cluster[0].metric, by_cluster[0].accuracy) == ("text", 1.0)
    assert by_cluster[0].similarity == pytest.approx(1.0)
    assert (by_cluster[1].metric, by_cluster[1].accuracy) == ("json", 1.0)


def test_bad_arguments_are_refused():
    with pytest.raises(PipelineError, match="modes"):
        run([candidate("m", 1)], modes=("four-shot",))
    with pytest.raises(PipelineError, match="threshold"):
        run([candidate("m", 1)], threshold=1.5)
    with pytest.raises(PipelineError, match="no candidate"):
        run([])
    with pytest.raises(PipelineError, match="unique"):
        run([candidate("m", 1), candidate("m", 2)])
    with pytest.raises(PipelineError, match="curate"):
        run([candidate("m", 1)], examples=[])
    stray = [weather_example("zz", "Nowhere")]
    with pytest.raises(PipelineError, match="cluster"):
        run([candidate("m", 1)], examples=stray)


# -- replaying the recorded options ---------------------------------------------------------


def test_replay_binds_the_recorded_tool_choice():
    base = ReplayRequest.from_example(EVAL[0])
    request = ReplayRequest(
        base.call_id,
        base.messages,
        base.tools,
        {"tool_choice": "get_weather", "parallel_tool_calls": False},
        base.reference,
    )
    fake = scripted(right_weather)
    request.runnable(fake).invoke(request.messages)
    sent = fake.calls[0]["kwargs"]
    assert (sent["tool_choice"], sent["parallel_tool_calls"]) == ("get_weather", False)


def test_replay_asks_for_the_recorded_structured_output():
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    item = example("s0", "Parse Ann", AIMessage(content='{"name": "Ann"}'))
    base = ReplayRequest.from_example(item)
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema}}
    request = ReplayRequest(
        base.call_id, base.messages, None, {"response_format": fmt}, base.reference
    )
    assert request.schema == schema
    fake = always(AIMessage(content='{"name": "Ann"}'))
    answer = request.runnable(fake).invoke(request.messages)
    assert isinstance(answer, AIMessage)
    assert fake.calls[0]["kwargs"]["response_format"]["json_schema"]["schema"]["title"] == "person"


def test_user_models_without_tool_calling_score_as_errors():
    from langchain_core.language_models import GenericFakeChatModel

    fake = GenericFakeChatModel(messages=iter([AIMessage(content="x")] * 10))
    result = run({"generic": fake}, modes=("zero-shot",))
    assert result.scores[0].errors == 5
    assert "NotImplementedError" in result.scores[0].details["first_error"]
    assert result.selection(0).tier == "llm"
