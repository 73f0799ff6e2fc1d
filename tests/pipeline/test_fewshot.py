"""Few-shot context: which shots, how they are laid out, and the serving-time wrapper."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel
from select_fakes import (
    WEATHER,
    FakeChat,
    always,
    call,
    example,
    json_text,
    right_weather,
    scripted,
    weather_example,
)

from hetero_agents.pipeline.fewshot import (
    TOOL_RESULT_PLACEHOLDER,
    FewShotChatModel,
    choose_shots,
    estimate_tokens,
    few_shot_messages,
    shot_turns,
)

SHOTS = [
    weather_example("c1", "Paris", split="train"),
    weather_example("c2", "Rome", split="train"),
]


def test_choose_shots_takes_the_nearest_to_the_centroid_then_call_id():
    train = [weather_example(f"c{i}", f"City{i}", split="train") for i in range(5)]
    distances = {"c0": 0.4, "c1": 0.1, "c2": 0.1, "c3": 0.3}  # c4 unknown: last
    assert [e.call_id for e in choose_shots(train, 3, distances)] == ["c1", "c2", "c3"]
    assert [e.call_id for e in choose_shots(train, 9, distances)][-1] == "c4"
    assert [e.call_id for e in choose_shots(list(reversed(train)), 2)] == ["c0", "c1"]
    assert choose_shots(train, 0, distances) == []


def test_shots_go_after_the_system_prompt_as_complete_exchanges():
    request = [SystemMessage("sys"), HumanMessage("What's the weather in Oslo?")]
    out = few_shot_messages(request, SHOTS)
    assert [m.type for m in out] == [
        "system",
        "human",
        "ai",
        "tool",
        "human",
        "ai",
        "tool",
        "human",
    ]
    assert out[0] is request[0]
    assert out[-1] is request[-1]
    assert out[1].text == "What's the weather in Paris?"
    first_call = out[2].tool_calls[0]
    assert first_call["args"] == {"city": "Paris"}
    assert isinstance(out[3], ToolMessage)
    assert out[3].tool_call_id == first_call["id"]
    assert out[3].text == TOOL_RESULT_PLACEHOLDER
    ids = [m.tool_calls[0]["id"] for m in out if isinstance(m, AIMessage)]
    assert len(set(ids)) == 2
    assert "call_x" not in ids  # the recorded ids are replaced: they could clash live


def test_shot_layout_is_deterministic():
    request = [HumanMessage("hi")]
    assert few_shot_messages(request, SHOTS) == few_shot_messages(request, SHOTS)


def test_a_shot_without_a_system_prompt_and_a_text_answer():
    shot = example("t1", "Say hi", AIMessage(content="Hi!"), system=None, split="train")
    out = few_shot_messages([HumanMessage("Say bye")], [shot])
    assert [(m.type, m.text) for m in out] == [
        ("human", "Say hi"),
        ("ai", "Hi!"),
        ("human", "Say bye"),
    ]


def test_a_multi_turn_shot_keeps_its_tool_round_trip():
    from langchain_core.messages import messages_to_dict

    history = [
        SystemMessage("sys"),
        HumanMessage("Weather in Paris, then summarise"),
        call("get_weather", {"city": "Paris"}, call_id="orig"),
        ToolMessage("18C and sunny", tool_call_id="orig"),
    ]
    shot = example("m1", "x", AIMessage(content="Paris: 18C, sunny."), split="train")
    shot = type(shot)(
        **{
            **{f: getattr(shot, f) for f in shot.__dataclass_fields__},
            "messages": messages_to_dict(history),
        }
    )
    turns = shot_turns([shot])
    assert [m.type for m in turns] == ["human", "ai", "tool", "ai"]
    assert turns[2].text == "18C and sunny"  # a real tool result is kept
    assert turns[2].tool_call_id == turns[1].tool_calls[0]["id"] != "orig"


def test_the_token_budget_drops_shots_that_do_not_fit():
    long = example("long", "x " * 3000, AIMessage(content="ok"), split="train")
    turns = shot_turns([long, *SHOTS], max_tokens=200)
    assert "x x x" not in " ".join(m.text for m in turns)
    assert sum(estimate_tokens(m) for m in turns) <= 200
    assert len([m for m in turns if m.type == "human"]) == 2  # the later, short shots still fit
    assert shot_turns(SHOTS, max_tokens=10) == []


# -- the wrapper --------------------------------------------------------------------------


def test_wrapper_sends_the_shots_and_reports_the_inner_model():
    inner = scripted(right_weather)
    model = FewShotChatModel(model=inner, shots=SHOTS)
    answer = model.bind_tools([WEATHER], tool_choice="get_weather").invoke(
        [SystemMessage("sys"), HumanMessage("What's the weather in Oslo?")]
    )
    assert answer.tool_calls[0]["args"] == {"city": "Oslo"}
    sent = inner.calls[0]
    assert len(sent["messages"]) == 8
    assert sent["kwargs"]["tool_choice"] == "get_weather"
    assert sent["kwargs"]["tools"][0]["function"]["name"] == "get_weather"
    assert model._get_ls_params()["ls_model_type"] == "chat"
    assert model.shot_messages == shot_turns(SHOTS)


class _Counter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.starts = 0

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.starts += 1


def test_the_wrapped_model_runs_inside_one_run():
    counter = _Counter()
    model = FewShotChatModel(model=always(AIMessage(content="hello")), shots=SHOTS)
    assert model.invoke("hi", config={"callbacks": [counter]}).text == "hello"
    assert counter.starts == 1


def test_streaming_goes_through_the_wrapped_model():
    inner = always(AIMessage(content="a b c"))
    model = FewShotChatModel(model=inner, shots=SHOTS)
    chunks = list(model.stream("hi"))
    assert "".join(c.text for c in chunks).split() == ["a", "b", "c"]
    assert len(inner.calls[0]["messages"]) == 7


async def test_async_invoke_sends_the_shots():
    inner = always(AIMessage(content="ok"))
    model = FewShotChatModel(model=inner, shots=SHOTS)
    assert (await model.ainvoke("hi")).text == "ok"
    assert len(inner.calls[0]["messages"]) == 7


class Weather(BaseModel):
    city: str
    temp: float


def test_structured_output_is_delegated_and_parsed():
    inner = always(json_text({"city": "Oslo", "temp": 3}))
    model = FewShotChatModel(model=inner, shots=SHOTS)
    out = model.with_structured_output(Weather, include_raw=True).invoke("Weather in Oslo?")
    assert out["parsed"] == {"city": "Oslo", "temp": 3}
    assert out["parsing_error"] is None
    assert isinstance(out["raw"], AIMessage)
    sent = inner.calls[0]
    assert sent["kwargs"]["response_format"]["type"] == "json_schema"
    assert len(sent["messages"]) == 7


def test_bind_tools_on_a_model_without_tools_says_so():
    from langchain_core.language_models import GenericFakeChatModel

    model = FewShotChatModel(model=GenericFakeChatModel(messages=iter([])), shots=SHOTS)
    with pytest.raises(NotImplementedError):
        model.bind_tools([WEATHER])


def test_a_few_shot_model_serves_as_a_router_tier_with_tools():
    from hetero_agents.routing import ChatRouter

    inner = scripted(right_weather)
    router = ChatRouter(
        llm=always(AIMessage(content="LLM")),
        slms={"fs": FewShotChatModel(model=inner, shots=SHOTS)},
    )
    answer = router.bind_tools([WEATHER], tool_choice="any").invoke(
        "What's the weather in Oslo?", model="fs"
    )
    assert answer.tool_calls[0]["args"] == {"city": "Oslo"}
    sent = inner.calls[0]
    assert len(sent["messages"]) == 7
    assert sent["kwargs"]["tool_choice"] == "any"


def test_structured_output_of_an_unfamiliar_shape_still_gets_the_shots():
    from langchain_core.runnables import RunnableLambda

    class Odd(FakeChat):
        def with_structured_output(self, schema: Any = None, **kwargs: Any) -> Any:
            return RunnableLambda(lambda messages: {"seen": len(messages)})

    model = FewShotChatModel(model=Odd(reply=right_weather), shots=SHOTS)
    assert model.with_structured_output({"type": "object"}).invoke("hi") == {"seen": 7}
