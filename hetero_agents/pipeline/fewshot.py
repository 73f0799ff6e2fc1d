"""Few-shot context: a cluster's train examples shown to a small model as prior turns.

A shot is the tail of a recorded request, from its last user turn on, followed
by the LLM's answer: ``user -> assistant(tool_calls) -> tool`` for a tool call,
``user -> assistant`` for text. Shots go right after the live request's system
messages, so the model sees them as earlier exchanges of the same conversation in
its own chat format, tool calls included; that teaches argument filling better
than a prose description of examples, and needs no prompt wording of ours.

The same transformation runs in S4 (to score the few-shot mode) and at serving
time (:class:`FewShotChatModel`, built by the route stage from the shots stored
in the router artifact), so what was measured is what is served. It is
deterministic, and bounded: SLM context windows are small (2048-4096 tokens), so
shots are added in order only while they fit ``max_tokens`` (estimated at three
characters per token, which over-counts for English and JSON and so errs
towards fewer shots).

Shot choice (:func:`choose_shots`): the ``k`` train examples nearest to the
cluster's centroid, i.e. the most typical calls of the task, by the distances S3
recorded (no embedding needed); ties and missing distances fall back to call-id
order, which is reproducible.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, cast

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import BaseOutputParser
from langchain_core.runnables import Runnable, RunnableBinding, RunnableLambda, RunnableSequence
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from hetero_agents._structured_output import with_parser
from hetero_agents.pipeline._shots import (
    DEFAULT_SHOT_TOKENS,
    TOOL_RESULT_PLACEHOLDER,
    estimate_tokens,
    insert_turns,
    shot_turns,
)
from hetero_agents.pipeline.records import Example
from hetero_agents.routing import _tiers

if TYPE_CHECKING:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models.base import LangSmithParams
    from langchain_core.outputs import ChatGenerationChunk, ChatResult


def choose_shots(
    train: Sequence[Example], k: int, distances: Mapping[str, float] | None = None
) -> list[Example]:
    """The ``k`` most typical train examples of a cluster (nearest its centroid).

    Args:
        train: The cluster's train-split examples.
        k: How many to choose (fewer if there are fewer).
        distances: ``call_id -> cosine distance`` to the centroid
            (:attr:`~hetero_agents.pipeline.records.Clustering.distances`);
            without it, call-id order.
    """
    if k <= 0:
        return []
    known = distances or {}
    ranked = sorted(train, key=lambda e: (known.get(e.call_id, float("inf")), e.call_id))
    return ranked[:k]


def few_shot_messages(
    request: Sequence[BaseMessage],
    shots: Sequence[Example],
    *,
    max_tokens: int = DEFAULT_SHOT_TOKENS,
) -> list[BaseMessage]:
    """The request with ``shots`` shown as earlier exchanges (see the module docstring).

    Args:
        request: The live request's messages.
        shots: Train examples of the request's cluster, most useful first.
        max_tokens: Estimated token budget of all shots together.
    """
    return insert_turns(request, shot_turns(shots, max_tokens=max_tokens))


class FewShotChatModel(BaseChatModel):
    """Any chat model, with fixed shots placed before every request.

    The wrapped model is called inside this model's own LangChain run (as
    :class:`~hetero_agents.ChatRouter` calls its tiers), so a ``CallLogger`` sees
    one call. ``bind_tools`` and ``with_structured_output`` are delegated: the
    wrapped model builds its own native binding (a grammar for ``ChatLlamaCpp``,
    the ``tools`` payload for ``ChatOpenAI``) and this model re-binds those
    arguments on itself, so a ``FewShotChatModel`` can be a router tier.

    Example:
        >>> slm = FewShotChatModel(model=load_model("qwen2.5-coder-0.5b"), shots=examples)
        >>> slm.bind_tools(tools).invoke("What's the weather in Paris?")  # doctest: +SKIP

    Attributes:
        model: The chat model that answers.
        shots: The examples shown, in order (see :func:`choose_shots`).
        max_shot_tokens: Estimated token budget of all shots together.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: BaseChatModel
    shots: list[Example] = Field(default_factory=list)
    max_shot_tokens: int = DEFAULT_SHOT_TOKENS

    _turns: list[BaseMessage] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _build_turns(self) -> Self:
        # Built once: serving a call then costs one list concatenation.
        self._turns = shot_turns(self.shots, max_tokens=self.max_shot_tokens)
        return self

    @property
    def shot_messages(self) -> list[BaseMessage]:
        """The turns placed before every request (a copy)."""
        return list(self._turns)

    def with_shots(self, messages: Sequence[BaseMessage]) -> list[BaseMessage]:
        """``messages`` as the wrapped model receives them."""
        return insert_turns(messages, self._turns)

    # -- LangChain plumbing ------------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "few-shot"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        inner = self.model._identifying_params
        return {**inner, "shots": [shot.call_id for shot in self.shots]}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        # Logs and costs should name the model that actually answers.
        return self.model._get_ls_params(stop=stop, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return _tiers.generate(self.model, self.with_shots(messages), stop, kwargs)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await _tiers.agenerate(self.model, self.with_shots(messages), stop, kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in _tiers.stream(self.model, self.with_shots(messages), stop, kwargs):
            if run_manager is not None:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        shots = self.with_shots(messages)
        async for chunk in _tiers.astream(self.model, shots, stop, kwargs):
            if run_manager is not None:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    # -- delegation --------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | Any],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools the way the wrapped model binds them.

        Raises:
            NotImplementedError: The wrapped model has no tool calling, or its
                ``bind_tools`` does not return a binding of itself.
        """
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        bound = self.model.bind_tools(tools, **kwargs)
        found = _bound_kwargs(bound, self.model)
        if found is None:
            raise NotImplementedError(
                f"{type(self.model).__name__}.bind_tools returned {type(bound).__name__}, "
                "not a binding of the model; wrap the bound runnable instead"
            )
        return self.bind(**found)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        include_raw: bool = False,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Structured output the way the wrapped model does it, with the shots in front.

        Args:
            schema: As the wrapped model's ``with_structured_output`` takes it.
            include_raw: Return ``{"raw", "parsed", "parsing_error"}``.
            **kwargs: The wrapped model's options (``method=``, ``strict=``, ...).
        """
        # ``None`` is a valid schema for json_mode in most chat models; the base
        # class's annotation is narrower than its subclasses' behaviour.
        wanted = cast("dict[str, Any] | type", schema)
        structured = self.model.with_structured_output(wanted, include_raw=False, **kwargs)
        if isinstance(structured, RunnableSequence):
            found = _bound_kwargs(structured.first, self.model)
            parser = structured.last if len(structured.steps) == 2 else None
            if found is not None and isinstance(parser, BaseOutputParser):
                return with_parser(self.bind(**found), parser, include_raw=include_raw)
        # An unfamiliar shape: keep the wrapped model's runnable and add the shots in front.
        inner = self.model.with_structured_output(wanted, include_raw=include_raw, **kwargs)
        return RunnableLambda(self._shots_for_input, name="few_shots") | inner

    def _shots_for_input(self, value: LanguageModelInput) -> list[BaseMessage]:
        return self.with_shots(self._convert_input(value).to_messages())


def _bound_kwargs(runnable: Runnable[Any, Any], model: BaseChatModel) -> dict[str, Any] | None:
    """The call kwargs that ``runnable`` (a binding, maybe nested) binds on ``model``."""
    if isinstance(runnable, RunnableBinding):
        if runnable.bound is model:
            return dict(runnable.kwargs)
        inner = _bound_kwargs(runnable.bound, model)
        return None if inner is None else {**inner, **runnable.kwargs}
    return None


__all__ = [
    "DEFAULT_SHOT_TOKENS",
    "TOOL_RESULT_PLACEHOLDER",
    "FewShotChatModel",
    "choose_shots",
    "estimate_tokens",
    "few_shot_messages",
    "insert_turns",
    "shot_turns",
]
