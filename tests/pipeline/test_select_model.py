"""S4 on a real model: a tiny tool-calling cluster replayed through smollm2-135m (llama.cpp)."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel
from select_fakes import clustering, weather_example

from hetero_agents.models import CATALOG
from hetero_agents.pipeline.candidates import catalog_candidate
from hetero_agents.pipeline.fewshot import FewShotChatModel
from hetero_agents.pipeline.select import select

pytestmark = pytest.mark.model

EVAL = [weather_example("e0", "Paris"), weather_example("e1", "Rome")]
TRAIN = [weather_example("t0", "Oslo", split="train")]


def test_replay_a_tool_cluster_through_smollm2():
    candidate = catalog_candidate("smollm2-135m", n_threads=1, n_ctx=2048, max_tokens=24)
    result = select(
        clustering({0: [*EVAL, *TRAIN]}),
        [*EVAL, *TRAIN],
        [candidate],
        few_shot_k=1,
        progress=False,
    )
    rows = {s.mode: s for s in result.scores}
    assert set(rows) == {"zero-shot", "few-shot"}
    for row in rows.values():
        assert (row.n, row.errors, row.metric) == (2, 0, "tool_call")
        assert row.latency_ms > 0
        assert row.footprint_mb == pytest.approx(CATALOG["smollm2-135m"].size / 1e6)
        assert [c["call_id"] for c in row.details["calls"]] == ["e0", "e1"]
        assert 0.0 <= row.accuracy <= 1.0
        assert 0.0 <= row.validity <= 1.0
    assert rows["few-shot"].details["shots"] == ["t0"]
    chosen = result.selection(0)
    assert chosen.tier in ("slm", "llm")
    assert chosen.reason


class Weather(BaseModel):
    city: str
    celsius: int


def test_few_shot_wrapper_keeps_llama_cpp_grammar_for_structured_output(smollm2_path):
    from hetero_agents import ChatLlamaCpp

    llm = ChatLlamaCpp(model_path=str(smollm2_path), n_threads=1, n_ctx=2048, max_tokens=24)
    model = FewShotChatModel(model=llm, shots=TRAIN)
    out = model.with_structured_output(Weather).invoke([HumanMessage("Oslo is 3 degrees.")])
    assert isinstance(out, Weather)  # grammar-constrained: parses whatever the tiny model says
    bound = model.bind_tools([EVAL[0].tools[0]], tool_choice="get_weather")
    answer = bound.invoke([HumanMessage("What's the weather in Rome?")])
    assert answer.tool_calls
    assert answer.tool_calls[0]["name"] == "get_weather"
