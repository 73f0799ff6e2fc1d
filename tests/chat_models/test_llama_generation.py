"""Generation on the real SmolLM2-135M: text, usage, stop, budget, and every tool path."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, tool
from pydantic import BaseModel, Field

from hetero_agents.chat_models import ChatLlamaCpp
from hetero_agents.chat_models._client_state import client_state
from hetero_agents.chat_models._sampling import TokenSampler

pytestmark = pytest.mark.model


class WeatherArgs(BaseModel):
    location: str = Field(description="City name")
    unit: str = Field(default="C", pattern="^[CF]$")


@tool(args_schema=WeatherArgs)
def get_weather(location: str, unit: str = "C") -> str:
    """Get the current weather at a location."""
    return f"sunny in {location}"


@tool
def magic_function(input: int) -> int:
    """Apply a magic function to an input."""
    return input + 2


@tool
def current_time() -> str:
    """Tell the current time."""
    return "noon"


TOOLS: list[BaseTool] = [get_weather, magic_function, current_time]


def assert_valid_calls(message: AIMessage, allowed: list[BaseTool]) -> None:
    """Every call names an allowed tool and its arguments validate against its schema."""
    by_name = {t.name: t for t in allowed}
    assert message.tool_calls, "expected at least one tool call"
    assert not message.invalid_tool_calls
    for call in message.tool_calls:
        assert call["name"] in by_name
        assert call["id"]
        assert call["id"].startswith("call_")
        schema = by_name[call["name"]].args_schema
        assert isinstance(schema, type)
        assert issubclass(schema, BaseModel)
        schema.model_validate(call["args"])


def stream_all(runnable: Any, prompt: Any) -> tuple[list[AIMessageChunk], AIMessageChunk]:
    chunks = list(runnable.stream(prompt))
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return chunks, full


# -- text --------------------------------------------------------------------------------


def test_invoke_reports_usage_finish_reason_and_confidence(smollm2: ChatLlamaCpp) -> None:
    result = smollm2.invoke("What is 2+2?")
    assert isinstance(result.content, str)
    assert result.content
    usage = result.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] > 10
    assert usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    meta = result.response_metadata
    assert meta["model_name"] == "smollm2-135m"
    assert meta["finish_reason"] == "stop"
    assert -20 < meta["mean_logprob"] < 0


def test_stream_matches_invoke_and_puts_usage_on_the_last_chunk_only(smollm2: ChatLlamaCpp) -> None:
    expected = smollm2.invoke("Name a fruit.")
    chunks, full = stream_all(smollm2, "Name a fruit.")
    assert full.content == expected.content  # greedy, and the reused KV cache changes nothing
    assert all(c.usage_metadata is None for c in chunks[:-1])
    assert chunks[-1].usage_metadata == expected.usage_metadata
    assert chunks[-1].chunk_position == "last"


def test_mean_logprob_equals_llama_cpp_logprobs_computed_with_logits_all(
    smollm2: ChatLlamaCpp, smollm2_path: Any
) -> None:
    import llama_cpp

    result = smollm2.invoke("Name a colour.", max_tokens=8)
    renderer = client_state(smollm2.llama).renderer(None)
    prompt = renderer.render([HumanMessage("Name a colour.")])
    reference = llama_cpp.Llama(
        model_path=str(smollm2_path), n_ctx=512, n_threads=1, logits_all=True, verbose=False
    )
    tokens = reference.tokenize(prompt.encode(), add_bos=False, special=True)
    out = reference.create_completion(tokens, max_tokens=8, temperature=0.0, logprobs=1)
    reference.close()
    logprobs = out["choices"][0]["logprobs"]["token_logprobs"]
    assert out["choices"][0]["text"].startswith(result.content)
    assert result.response_metadata["mean_logprob"] == pytest.approx(
        sum(logprobs) / len(logprobs), abs=1e-3
    )


def test_stop_sequence_cuts_the_answer_before_it(smollm2: ChatLlamaCpp) -> None:
    full = smollm2.invoke("Describe the sea in two sentences.")
    assert isinstance(full.content, str)
    words = full.content.split()
    assert len(words) > 4
    stop = " " + words[3]
    cut = smollm2.invoke("Describe the sea in two sentences.", stop=[stop])
    assert cut.content == full.content[: full.content.index(stop)]
    assert cut.response_metadata["finish_reason"] == "stop"


def test_max_tokens_bounds_the_answer(smollm2: ChatLlamaCpp) -> None:
    result = smollm2.invoke("Write a long story about a dragon.", max_tokens=5)
    assert result.usage_metadata is not None
    assert result.usage_metadata["output_tokens"] == 5
    assert result.response_metadata["finish_reason"] == "length"


def test_sampling_with_a_seed_is_reproducible(smollm2: ChatLlamaCpp) -> None:
    warm = smollm2.model_copy(update={"temperature": 0.9, "seed": 1234, "max_tokens": 24})
    first = warm.invoke("Invent a name for a boat.")
    assert warm.invoke("Invent a name for a boat.").content == first.content
    penalised = warm.model_copy(update={"repeat_penalty": 1.3, "dry_multiplier": 0.8})
    assert penalised.invoke("Invent a name for a boat.").content


def test_sampled_tool_calls_are_still_valid(smollm2: ChatLlamaCpp) -> None:
    warm = smollm2.model_copy(update={"temperature": 1.0, "seed": 7})
    bound = warm.bind_tools(TOOLS, tool_choice="any")
    for _ in range(3):
        assert_valid_calls(bound.invoke("Weather in Oslo, in Fahrenheit?"), TOOLS)


def test_conversation_with_several_system_messages(smollm2: ChatLlamaCpp) -> None:
    result = smollm2.invoke([("system", "Be brief."), ("system", "Be kind."), ("human", "Hi")])
    assert result.content


# -- tools -------------------------------------------------------------------------------


@pytest.mark.parametrize("choice", ["any", "required"])
def test_forced_choice_with_several_tools_gives_one_valid_call(
    smollm2: ChatLlamaCpp, choice: str
) -> None:
    result = smollm2.bind_tools(TOOLS, tool_choice=choice).invoke("What is magic_function(3)?")
    assert_valid_calls(result, TOOLS)
    assert len(result.tool_calls) == 1
    assert result.content == ""
    assert result.response_metadata["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("name", ["get_weather", "current_time"])
def test_named_choice_calls_exactly_that_tool(smollm2: ChatLlamaCpp, name: str) -> None:
    as_dict = {"type": "function", "function": {"name": name}}
    result = smollm2.bind_tools(TOOLS, tool_choice=as_dict).invoke("Hello!")
    assert_valid_calls(result, TOOLS)
    assert [c["name"] for c in result.tool_calls] == [name]


def test_no_argument_tool_gets_empty_arguments(smollm2: ChatLlamaCpp) -> None:
    result = smollm2.bind_tools([current_time], tool_choice="any").invoke("What time is it?")
    assert_valid_calls(result, [current_time])
    assert result.tool_calls[0]["args"] == {}


def test_none_choice_answers_in_text(smollm2: ChatLlamaCpp) -> None:
    result = smollm2.bind_tools(TOOLS, tool_choice="none").invoke("What is magic_function(3)?")
    assert result.tool_calls == []
    assert result.content


def test_streamed_tool_calls_never_leak_markup(smollm2: ChatLlamaCpp) -> None:
    chunks, full = stream_all(
        smollm2.bind_tools(TOOLS, tool_choice="any"), "What is the weather in Oslo?"
    )
    assert all(chunk.content == "" for chunk in chunks)
    assert sum(len(chunk.tool_call_chunks) for chunk in chunks) == 1
    assert isinstance(full, AIMessageChunk)
    assert_valid_calls(AIMessage(content="", tool_calls=full.tool_calls), TOOLS)


def test_auto_choice_calls_after_examples_and_rewinds_cleanly(smollm2: ChatLlamaCpp) -> None:
    # SmolLM2 writes a <tool_call> on its own once the conversation shows how; the
    # free-text phase must hand over to the grammar without leaking the tag.
    def earlier_call(city: str, n: int) -> AIMessage:
        return AIMessage(
            "", tool_calls=[{"name": "get_weather", "args": {"location": city}, "id": f"c{n}"}]
        )

    history = [
        HumanMessage("Weather in Paris?"),
        earlier_call("Paris", 1),
        HumanMessage("Weather in Rome?"),
        earlier_call("Rome", 2),
        HumanMessage("Weather in Berlin?"),
    ]
    bound = smollm2.bind_tools(TOOLS)
    result = bound.invoke(history)
    assert_valid_calls(result, TOOLS)
    assert result.tool_calls[0]["args"]["location"] == "Berlin"
    assert "<tool_call>" not in str(result.content)
    chunks, full = stream_all(bound, history)
    assert "".join(str(c.content) for c in chunks) == result.content
    assert [c["args"] for c in full.tool_calls] == [c["args"] for c in result.tool_calls]


def test_tool_message_history_then_a_new_valid_call(smollm2: ChatLlamaCpp) -> None:
    call = {"name": "magic_function", "args": {"input": 3}, "id": "call_1", "type": "tool_call"}
    history = [
        HumanMessage("What is magic_function(3)?"),
        AIMessage("", tool_calls=[call]),
        ToolMessage(json.dumps({"result": 5}), tool_call_id="call_1", name="magic_function"),
        HumanMessage("And the weather in Lima?"),
    ]
    result = smollm2.bind_tools(TOOLS, tool_choice="any").invoke(history)
    assert_valid_calls(result, TOOLS)


def test_parallel_calls_are_opt_in_and_all_valid(smollm2: ChatLlamaCpp) -> None:
    bound = smollm2.bind_tools(TOOLS, tool_choice="any", parallel_tool_calls=True)
    result = bound.invoke("Weather in Oslo and in Rome?", max_tokens=160)
    assert_valid_calls(result, TOOLS)
    assert 1 <= len(result.tool_calls) <= 8


def test_a_call_cut_off_by_max_tokens_is_invalid_not_partial(smollm2: ChatLlamaCpp) -> None:
    result = smollm2.bind_tools(TOOLS, tool_choice="any").invoke("Weather in Oslo?", max_tokens=12)
    assert result.tool_calls == []
    assert len(result.invalid_tool_calls) == 1
    assert result.response_metadata["finish_reason"] == "length"


def test_grammar_fast_path_picks_the_same_tokens_as_full_masking(
    smollm2: ChatLlamaCpp, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = smollm2.bind_tools(TOOLS, tool_choice="any")
    fast = bound.invoke("Weather in Quito?")
    monkeypatch.setattr(TokenSampler, "_grammar_allows", lambda self, token: False)
    masked = bound.invoke("Weather in Quito?")
    assert [(c["name"], c["args"]) for c in masked.tool_calls] == [
        (c["name"], c["args"]) for c in fast.tool_calls
    ]


# -- call validation ---------------------------------------------------------------------


def test_unknown_tool_choice_at_bind_time(smollm2: ChatLlamaCpp) -> None:
    with pytest.raises(ValueError, match="'auto', 'any', 'required', 'none'"):
        smollm2.bind_tools(TOOLS, tool_choice="sometimes")


def test_unknown_call_argument_is_a_type_error(smollm2: ChatLlamaCpp) -> None:
    with pytest.raises(TypeError, match="max_token"):
        smollm2.invoke("hi", max_token=3)


def test_model_override_is_refused(smollm2: ChatLlamaCpp) -> None:
    with pytest.raises(ValueError, match="cannot switch to 'gpt-4o'"):
        smollm2.invoke("hi", model="gpt-4o")


def test_timeout_while_waiting_for_a_busy_model(smollm2: ChatLlamaCpp) -> None:
    lock = client_state(smollm2.llama).lock
    impatient = smollm2.model_copy(update={"timeout": 0.2})
    with lock, pytest.raises(TimeoutError, match="stayed busy"):
        impatient.invoke("hi")


def test_timeout_during_generation(smollm2: ChatLlamaCpp) -> None:
    impatient = smollm2.model_copy(update={"timeout": 1e-6})
    with pytest.raises(TimeoutError, match="exceeded timeout"):
        impatient.invoke("Write a poem.")
    assert not client_state(smollm2.llama).lock.locked()
    assert smollm2.invoke("Hi", max_tokens=3).content  # the model is usable again


def test_lock_released_when_a_stream_is_abandoned(smollm2: ChatLlamaCpp) -> None:
    stream = smollm2.stream("Count from one to fifty.")
    next(iter(stream))
    stream.close()
    assert not client_state(smollm2.llama).lock.locked()
    done = threading.Event()
    threading.Thread(target=lambda: (smollm2.invoke("Hi", max_tokens=3), done.set())).start()
    assert done.wait(60)
