"""S2 curate over real log databases written by CallLogger from scripted chat models."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManager, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.utils.function_calling import convert_to_openai_tool

from hetero_agents.errors import PipelineError
from hetero_agents.logs import CallLogger, CallRecord, LogStore, NoRedaction
from hetero_agents.pipeline.curate import CurateResult, curate
from hetero_agents.routing.text import routing_text

Answer = Callable[[list[BaseMessage]], AIMessage]


class Scripted(BaseChatModel):
    """Answers with ``answer(messages)``; binds tools the way real providers do."""

    answer: Answer
    finish_reason: str = "stop"

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=[convert_to_openai_tool(tool) for tool in tools], **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self.answer(messages)
        metadata = {"finish_reason": self.finish_reason, **message.response_metadata}
        message = message.model_copy(update={"response_metadata": metadata})
        return ChatResult(generations=[ChatGeneration(message=message)])


class Wrapper(BaseChatModel):
    """A chat model that calls another one inside its own run (a hand-written router)."""

    inner: BaseChatModel

    @property
    def _llm_type(self) -> str:
        return "wrapper"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        assert run_manager is not None
        child = CallbackManager(
            handlers=run_manager.inheritable_handlers,
            inheritable_handlers=run_manager.inheritable_handlers,
            parent_run_id=run_manager.run_id,
        )
        config: RunnableConfig = {"callbacks": child}
        return ChatResult(generations=[ChatGeneration(message=self.inner.invoke(messages, config))])


def get_weather(city: str, unit: str = "celsius") -> str:
    """The current weather in a city.

    Args:
        city: The city.
        unit: celsius or fahrenheit.
    """
    return "sunny"


def send(to: str) -> str:
    """Send an e-mail.

    Args:
        to: The address.
    """
    return "sent"


def text(reply: str) -> Scripted:
    return Scripted(answer=lambda _m: AIMessage(reply))


def calls_tool(name: str, args: dict[str, Any]) -> Scripted:
    return Scripted(
        answer=lambda _m: AIMessage("", tool_calls=[{"name": name, "args": args, "id": "call_1"}])
    )


SYSTEM = SystemMessage("You are the weather desk of a travel agent. Answer with a tool call.")


def ask(question: str) -> list[BaseMessage]:
    return [SYSTEM, HumanMessage(question)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "logs.db"


def record(
    db: Path,
    runs: Sequence[tuple[Runnable[Any, Any], Any, dict[str, Any]]],
    **logger_options: Any,
) -> list[CallRecord]:
    """Run each ``(model, input, metadata)`` under a CallLogger; return what it stored."""
    with CallLogger(db, **logger_options) as logger:
        for model, prompt, metadata in runs:
            config: RunnableConfig = {"callbacks": [logger], "metadata": metadata}
            with contextlib.suppress(RuntimeError):  # a failing call is recorded too
                model.invoke(prompt, config)
        assert logger.flush(timeout=10)
    return list(LogStore(db).calls())


def run_curate(calls: Sequence[CallRecord], **options: Any) -> CurateResult:
    return curate(calls, progress=False, **options)


# --- selection ----------------------------------------------------------------------------


def test_every_drop_reason_is_counted_and_only_good_llm_answers_are_kept(db: Path) -> None:
    weather = calls_tool("get_weather", {"city": "Oslo"}).bind_tools([get_weather])
    failing = Scripted(answer=lambda _m: (_ for _ in ()).throw(RuntimeError("boom")))
    runs: list[tuple[Runnable[Any, Any], Any, dict[str, Any]]] = [
        (weather, ask("Weather in Oslo?"), {}),  # kept
        (text("Sunny."), "How is the sky in Lima today?", {}),  # kept: plain text answer
        (failing, "this raises", {}),
        (text("small model"), "summarise the ticket", {"hetero_tier": "slm"}),
        (text(""), "an empty answer", {}),
        (Scripted(answer=lambda _m: AIMessage("cut"), finish_reason="length"), "long", {}),
        (calls_tool("book_hotel", {}).bind_tools([get_weather]), ask("unbound tool"), {}),
        (calls_tool("get_weather", {"town": 3}).bind_tools([get_weather]), ask("bad args"), {}),
        (weather, ask("Weather in Oslo?"), {}),  # exact duplicate of the first
        (weather, ask("Weather in Oslo?!"), {}),  # near duplicate of the first
        (Wrapper(inner=text("inner answer")), "a wrapped call about invoices", {}),
    ]
    calls = record(db, runs)
    result = run_curate(calls)
    assert result.n_in == len(calls) == 12  # the wrapper left a parent and a child row
    assert result.dropped == {
        "error": 1,
        "nested": 1,
        "not_llm": 1,
        "empty": 1,
        "truncated": 1,
        "failed_validation": 2,
        "duplicate": 1,
        "near_duplicate": 1,
    }
    kept = {example.call_id: example for example in result.examples}
    wrapper = next(c for c in calls if c.n_children == 1)
    assert wrapper.id in kept  # the parent is kept for a nested call, not the child
    assert [e.response_message().text for e in result.examples] == [
        "",
        "Sunny.",
        "inner answer",
    ]
    assert result.examples[0].response_message().tool_calls[0]["args"] == {"city": "Oslo"}


def test_metadata_only_and_router_served_slm_calls_are_dropped(db: Path) -> None:
    record(db, [(text("x"), "no content kept", {})], capture_content=False)
    slm_route = {"tier": "slm", "model": "qwen", "policy": "cascade", "reason": "ok"}
    routed = Scripted(answer=lambda _m: AIMessage("y", response_metadata={"hetero": slm_route}))
    llm_route = {**slm_route, "tier": "llm", "escalated": True}
    escalated = Scripted(answer=lambda _m: AIMessage("z", response_metadata={"hetero": llm_route}))
    calls = record(db, [(routed, "served by a small model", {}), (escalated, "escalated", {})])
    result = run_curate(calls)
    assert result.dropped == {"no_content": 1, "not_llm": 1}
    assert [e.response_message().text for e in result.examples] == ["z"]


def test_a_wrapper_without_a_tier_takes_its_last_childs_tier(db: Path) -> None:
    inner = text("from the small model")
    calls = record(db, [(Wrapper(inner=inner), "q", {})])
    child = next(c for c in calls if c.parent_call_id is not None)
    # mark the inner call as an SLM's, as a wrapper around an SLM tier would record it
    relabelled = [c if c is not child else _replace(c, tier="slm") for c in calls]
    with pytest.raises(PipelineError, match=r"not_llm: 1"):
        run_curate(relabelled)


def test_an_orphan_child_is_judged_on_its_own(db: Path) -> None:
    calls = record(db, [(Wrapper(inner=text("inner")), "q", {})])
    child = [c for c in calls if c.parent_call_id is not None]
    result = run_curate(child)
    assert [e.call_id for e in result.examples] == [child[0].id]


def test_structured_output_that_does_not_validate_is_dropped(db: Path) -> None:
    schema = {
        "type": "json_schema",
        "json_schema": {
            "name": "person",
            "schema": {"type": "object", "properties": {"age": {"type": "integer"}}},
        },
    }
    good = text('{"age": 41}').bind(response_format=schema)
    bad = text('{"age": "old"}').bind(response_format=schema)
    result = run_curate(record(db, [(good, "how old, first", {}), (bad, "how old, second", {})]))
    assert result.dropped == {"failed_validation": 1}
    assert result.examples[0].response_message().text == '{"age": 41}'


# --- duplicates ---------------------------------------------------------------------------


def test_answers_to_an_identical_request_become_alternates_of_the_kept_one(db: Path) -> None:
    answers = iter(["Oslo is sunny.", "It is sunny in Oslo.", "Sunny."])
    model = Scripted(answer=lambda _m: AIMessage(next(answers)))
    calls = record(db, [(model, ask("Weather in Oslo?"), {}) for _ in range(3)])
    result = run_curate(calls)
    (kept,) = result.examples
    assert kept.call_id == calls[0].id  # the first is kept
    assert result.dropped == {"duplicate": 2}
    others = [alt["data"]["content"] for alt in result.alternates[kept.call_id]]
    assert others == ["It is sunny in Oslo.", "Sunny."]


def test_near_duplicates_can_be_kept(db: Path) -> None:
    calls = record(
        db, [(text("a"), ask("Weather in Oslo?"), {}), (text("b"), ask("Weather in Oslo??"), {})]
    )
    assert len(run_curate(calls).examples) == 1
    assert len(run_curate(calls, near_duplicate=None).examples) == 2


# --- redaction and surrogates -------------------------------------------------------------


def test_pii_that_slipped_into_the_log_is_redacted_consistently(db: Path) -> None:
    reply = AIMessage(
        "I will write to bob@example.org.",
        tool_calls=[{"name": "send", "args": {"to": "bob@example.org"}, "id": "c1"}],
    )
    model = Scripted(answer=lambda _m: reply).bind_tools([send])
    prompt = [SYSTEM, HumanMessage("Mail <EMAIL_1> and bob@example.org, card 4111 1111 1111 1111")]
    calls = record(db, [(model, prompt, {})], redactor=NoRedaction())
    assert "bob@example.org" in str(calls[0].messages)  # the raw value is in the log
    result = run_curate(calls)
    (example,) = result.examples
    human = example.messages[1]["data"]["content"]
    # the placeholder already there keeps its number; the new address gets the next one
    assert human == "Mail <EMAIL_1> and <EMAIL_2>, card <CARD_1>"
    answer = example.response_message()
    assert answer.text == "I will write to <EMAIL_2>."
    assert answer.tool_calls[0]["args"] == {"to": "<EMAIL_2>"}
    assert result.rescrubbed == 1
    assert "bob@example.org" not in example.text
    assert any("redacted now" in note for note in result.notes)


def test_surrogates_keep_the_tool_call_consistent_with_the_prompt(db: Path) -> None:
    model = calls_tool("get_weather", {"city": "Trondheim"}).bind_tools([get_weather])
    prompt = ask("Dear Maria Lindqvist, is it raining in Trondheim? Order 88412.")
    calls = record(db, [(model, prompt, {"hetero_task": "weather"})])
    (example,) = run_curate(calls, surrogates=True).examples
    human = example.messages[1]["data"]["content"]
    city = example.response_message().tool_calls[0]["args"]["city"]
    for original in ("Trondheim", "Maria", "Lindqvist", "88412"):
        assert original not in human
    assert city != "Trondheim"
    assert f"raining in {city}?" in human  # same surrogate in the prompt and the call
    assert example.text == routing_text(example.to_messages(), example.tools)


# --- split --------------------------------------------------------------------------------


def _workload(db: Path) -> list[CallRecord]:
    runs: list[tuple[Runnable[Any, Any], Any, dict[str, Any]]] = []
    for i in range(30):
        runs.append(
            (
                text(f"forecast {i}"),
                ask(f"Forecast number {i} for Bergen?"),
                {"hetero_task": "weather"},
            )
        )
    for i in range(10):
        runs.append(
            (text(f"booked {i}"), f"Book room {i} for guest {i * 7}", {"langgraph_node": "booking"})
        )
    runs.append((text("only one"), "a lonely request of its own kind", {"hetero_task": "rare"}))
    return record(db, runs)


def test_split_is_stratified_per_group_and_notes_single_call_groups(db: Path) -> None:
    result = run_curate(_workload(db), eval_fraction=0.2, near_duplicate=None)
    by_group: dict[str, list[str]] = {}
    for example in result.examples:
        by_group.setdefault(example.group, []).append(example.split)
    assert sorted(by_group) == ["node:booking", "task:rare", "task:weather"]
    assert by_group["task:weather"].count("eval") == 6
    assert by_group["node:booking"].count("eval") == 2
    assert by_group["task:rare"] == ["train"]
    assert any("'task:rare' has a single call" in note for note in result.notes)


def test_split_is_reproducible_and_independent_of_input_order(db: Path) -> None:
    calls = _workload(db)
    first = run_curate(calls, seed=3, near_duplicate=None)
    shuffled = list(calls)
    random.Random(1).shuffle(shuffled)
    again = run_curate(shuffled, seed=3, near_duplicate=None)
    other = run_curate(calls, seed=4, near_duplicate=None)

    def splits(result: CurateResult) -> dict[str, str]:
        return {e.call_id: e.split for e in result.examples}

    assert splits(first) == splits(again)
    assert [e.call_id for e in first.examples] == [e.call_id for e in again.examples]
    assert splits(first) != splits(other)
    assert sum(s == "eval" for s in splits(other).values()) == 8  # same sizes, other calls


# --- bad input ----------------------------------------------------------------------------


def test_no_calls_raises_a_pipeline_error_that_says_how_to_record(db: Path) -> None:
    with pytest.raises(PipelineError, match="CallLogger"):
        run_curate(list(LogStore(db).calls()))


def test_no_usable_call_raises_with_the_drop_counts(db: Path) -> None:
    calls = record(db, [(text("x"), "q", {"hetero_tier": "slm"}), (text(""), "r", {})])
    with pytest.raises(PipelineError, match=r"none of the 2 calls.*not_llm: 1.*SLM"):
        run_curate(calls)


@pytest.mark.parametrize(
    "options",
    [{"eval_fraction": 1.0}, {"eval_fraction": -0.1}, {"near_duplicate": 0.0}, {"min_eval": -1}],
)
def test_parameters_out_of_range_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        run_curate([], **options)


def _replace(call: CallRecord, **changes: Any) -> CallRecord:
    from dataclasses import replace

    return replace(call, **changes)
